import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import {
  ValueError,
  parseApiBaseUrl,
  parseCloudflareId,
  parseDomain,
  parseEmail,
  parsePath,
  parseResolvers,
  parseToken,
  parseWorkersDevTemplate,
  renderWorkersDevUrl,
} from '../../src/config/parse.js';
import { DyniaError } from '../../src/errors.js';

const reason = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ValueError, `expected ValueError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a ValueError');
};

describe('config parsers', () => {
  it('parses resolver lists with default and explicit ports, IPv4 and IPv6', () => {
    assert.deepEqual(parseResolvers('1.1.1.1,8.8.8.8'), [
      { ip: '1.1.1.1', port: 53 },
      { ip: '8.8.8.8', port: 53 },
    ]);
    assert.deepEqual(parseResolvers(' 172.29.0.4:5353 , [::1]:53, 2001:db8::1 '), [
      { ip: '172.29.0.4', port: 5353 },
      { ip: '::1', port: 53 },
      { ip: '2001:db8::1', port: 53 },
    ]);
  });

  it('rejects malformed resolvers with the offending item', () => {
    assert.equal(
      reason(() => parseResolvers('1.1.1')),
      '"1.1.1" is not an IPv4 address',
    );
    assert.equal(
      reason(() => parseResolvers('1.1.1.1:0')),
      '"1.1.1.1:0" has an invalid port (1-65535)',
    );
    assert.equal(
      reason(() => parseResolvers('1.1.1.1:70000')),
      '"1.1.1.1:70000" has an invalid port (1-65535)',
    );
    assert.equal(
      reason(() => parseResolvers('1.1.1.1:x')),
      '"1.1.1.1:x" has an invalid port (1-65535)',
    );
    assert.equal(
      reason(() => parseResolvers('dns.google')),
      '"dns.google" is not an IPv4 address',
    );
    assert.equal(
      reason(() => parseResolvers(' , ')),
      'needs at least one resolver address',
    );
    assert.equal(
      reason(() => parseResolvers('[1.1.1.1]:53')),
      '"[1.1.1.1]:53" is not an IPv6 address',
    );
  });

  it('normalises API base URLs and rejects non-http ones', () => {
    assert.equal(parseApiBaseUrl('https://api.cloudflare.com/client/v4/'), 'https://api.cloudflare.com/client/v4');
    assert.equal(parseApiBaseUrl('http://127.0.0.1:4780'), 'http://127.0.0.1:4780');
    assert.equal(
      reason(() => parseApiBaseUrl('api.digitalocean.com')),
      'not a URL',
    );
    assert.equal(
      reason(() => parseApiBaseUrl('ftp://x.example')),
      'must start with https:// or http://',
    );
    assert.equal(
      reason(() => parseApiBaseUrl('https://u:p@x.example')),
      'must not contain credentials',
    );
    assert.equal(
      reason(() => parseApiBaseUrl('https://x.example/?a=1')),
      'must not have a query or fragment',
    );
  });

  it('parses domains', () => {
    assert.equal(parseDomain('Example.COM.'), 'example.com');
    assert.equal(parseDomain('dynia.test'), 'dynia.test');
    assert.equal(
      reason(() => parseDomain('localhost')),
      'is not a domain name (expected something like example.com)',
    );
    assert.equal(
      reason(() => parseDomain('-bad.example.com')),
      'label "-bad" is not a valid hostname label (letters, digits, inner hyphens, 1-63 chars)',
    );
    assert.equal(
      reason(() => parseDomain('a..com')),
      'label "" is not a valid hostname label (letters, digits, inner hyphens, 1-63 chars)',
    );
    assert.equal(
      reason(() => parseDomain('https://example.com')),
      'label "https://example" is not a valid hostname label (letters, digits, inner hyphens, 1-63 chars)',
    );
  });

  it('parses tokens, ids, emails and paths', () => {
    assert.equal(parseToken('  abc123\n'), 'abc123');
    assert.equal(
      reason(() => parseToken('abc 123')),
      'contains whitespace or control characters',
    );
    assert.equal(parseCloudflareId('023e105f4ecef8ad9ca31a8372d0c353'), '023e105f4ecef8ad9ca31a8372d0c353');
    assert.equal(
      reason(() => parseCloudflareId('../x')),
      'must be up to 32 letters or digits (Cloudflare IDs are 32 hex characters)',
    );
    assert.equal(parseEmail('ops@example.com'), 'ops@example.com');
    assert.equal(
      reason(() => parseEmail('ops')),
      'is not an email address',
    );
    const context = { home: '/home/me', cwd: '/work' };
    assert.equal(parsePath('~/.ssh/id_ed25519', context), '/home/me/.ssh/id_ed25519');
    assert.equal(parsePath('~', context), '/home/me');
    assert.equal(parsePath('.dynia', context), '/work/.dynia');
    assert.equal(parsePath('/etc/x.pem', context), '/etc/x.pem');
  });

  it('checks and renders workers.dev templates', () => {
    assert.equal(parseWorkersDevTemplate('https://{script}.{subdomain}.workers.dev'), 'https://{script}.{subdomain}.workers.dev');
    assert.equal(parseWorkersDevTemplate('http://127.0.0.1:4782/{script}'), 'http://127.0.0.1:4782/{script}');
    assert.equal(
      reason(() => parseWorkersDevTemplate('https://{name}.workers.dev')),
      'unknown placeholder {name} (use {script} and {subdomain})',
    );
    assert.equal(
      reason(() => parseWorkersDevTemplate('https://{subdomain}.workers.dev')),
      'must contain {script}',
    );
    assert.equal(
      renderWorkersDevUrl('https://{script}.{subdomain}.workers.dev', { script: 'slb', subdomain: 'acme' }),
      'https://slb.acme.workers.dev',
    );
  });
});

describe('loadConfig', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'dynia-config-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  let dirs = 0;
  const freshDir = () => {
    const dir = join(scratch, `c${++dirs}`);
    mkdirSync(dir);
    return dir;
  };
  const cwd = freshDir();
  const env = { HOME: '/home/me' };

  const configError = (fn: () => unknown): DyniaError => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof DyniaError && error.kind === 'config', String(error));
      return error;
    }
    assert.fail('expected a ConfigError');
  };

  it('applies defaults', () => {
    const config = loadConfig({ env, cwd });
    assert.equal(config.stateDir, join(cwd, '.dynia'));
    assert.equal(config.require('digitaloceanApiUrl'), 'https://api.digitalocean.com');
    assert.equal(config.require('cloudflareApiUrl'), 'https://api.cloudflare.com/client/v4');
    assert.deepEqual(config.require('dyniaDnsResolvers'), [
      { ip: '1.1.1.1', port: 53 },
      { ip: '8.8.8.8', port: 53 },
    ]);
    assert.equal(config.require('dyniaAcmeCa'), 'https://acme-v02.api.letsencrypt.org/directory');
    assert.equal(config.require('dyniaSshKey'), '/home/me/.ssh/id_ed25519');
    assert.equal(config.require('dyniaWorkersDevUrl'), 'https://{script}.{subdomain}.workers.dev');
    assert.equal(config.get('dyniaAcmeEmail'), undefined);
    assert.equal(config.sourceOf('dyniaAcmeCa'), 'default');
    assert.equal(config.sourceOf('dyniaDomain'), undefined);
  });

  it('names the missing variable and how to set it', () => {
    const error = configError(() => loadConfig({ env, cwd }).require('digitaloceanToken'));
    assert.equal(
      error.message,
      'DIGITALOCEAN_TOKEN is not set. Set it to a DigitalOcean API token with write scope, e.g. export DIGITALOCEAN_TOKEN=...',
    );
    assert.equal(error.hint, `Or set "digitaloceanToken" in ${join(cwd, '.dynia', 'config.json')}.`);
    assert.match(configError(() => loadConfig({ env, cwd }).require('dyniaDomain')).message, /^DYNIA_DOMAIN is not set\. /);
    // An empty variable counts as unset.
    assert.match(
      configError(() => loadConfig({ env: { ...env, CLOUDFLARE_ZONE_ID: '' }, cwd }).require('cloudflareZoneId')).message,
      /^CLOUDFLARE_ZONE_ID is not set/,
    );
  });

  it('validates lazily: a bad value fails only when asked for, naming variable, value and origin', () => {
    const config = loadConfig({ env: { ...env, DYNIA_DNS_RESOLVERS: '1.1.1.1:99999', DYNIA_DOMAIN: 'not a domain' }, cwd });
    assert.equal(config.require('cloudflareApiUrl'), 'https://api.cloudflare.com/client/v4');
    assert.equal(
      configError(() => config.require('dyniaDnsResolvers')).message,
      'DYNIA_DNS_RESOLVERS "1.1.1.1:99999" from the environment is invalid: "1.1.1.1:99999" has an invalid port (1-65535).',
    );
    assert.match(configError(() => config.get('dyniaDomain')).message, /^DYNIA_DOMAIN "not a domain" from the environment is invalid: /);
    const badUrl = loadConfig({ env: { ...env }, cwd, flags: { digitaloceanApiUrl: 'nope' } });
    assert.equal(
      configError(() => badUrl.require('digitaloceanApiUrl')).message,
      'DIGITALOCEAN_API_URL "nope" from the command line is invalid: not a URL.',
    );
  });

  it('never prints a secret, even a malformed one', () => {
    const secret = 'super secret-token';
    const error = configError(() => loadConfig({ env: { ...env, CLOUDFLARE_API_TOKEN: secret }, cwd }).require('cloudflareApiToken'));
    assert.equal(
      error.message,
      'CLOUDFLARE_API_TOKEN (value hidden) from the environment is invalid: contains whitespace or control characters.',
    );
    assert.ok(!`${error.message} ${error.hint} ${error.stack}`.includes('secret'));
  });

  it('takes flags over environment over config file over defaults', () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'state'));
    writeFileSync(
      join(dir, 'state', 'config.json'),
      JSON.stringify({ dyniaDomain: 'file.example', cloudflareZoneId: 'filezone', dyniaAcmeEmail: 'file@example.com' }),
    );
    const config = loadConfig({
      cwd: dir,
      env: { HOME: '/h', DYNIA_STATE_DIR: 'state', DYNIA_DOMAIN: 'env.example', CLOUDFLARE_ZONE_ID: 'envzone' },
      flags: { dyniaDomain: 'flag.example', dyniaAcmeEmail: undefined },
    });
    assert.equal(config.stateDir, join(dir, 'state'));
    assert.equal(config.require('dyniaDomain'), 'flag.example');
    assert.equal(config.sourceOf('dyniaDomain'), 'flag');
    assert.equal(config.require('cloudflareZoneId'), 'envzone');
    assert.equal(config.require('dyniaAcmeEmail'), 'file@example.com');
    assert.equal(config.sourceOf('dyniaAcmeEmail'), 'file');
    assert.equal(config.require('dyniaDnsResolvers').length, 2);
  });

  it('names the config file and key of a bad file value, and rejects unknown keys and bad JSON', () => {
    const dir = freshDir();
    const file = join(dir, '.dynia', 'config.json');
    mkdirSync(join(dir, '.dynia'));
    writeFileSync(file, JSON.stringify({ dyniaAcmeCa: 'not-a-url' }));
    assert.equal(
      configError(() => loadConfig({ cwd: dir, env }).require('dyniaAcmeCa')).message,
      `DYNIA_ACME_CA "not-a-url" from ${file}, key "dyniaAcmeCa" is invalid: not a URL.`,
    );
    writeFileSync(file, JSON.stringify({ domain: 'x.example' }));
    assert.equal(configError(() => loadConfig({ cwd: dir, env })).message, `${file} has an unknown key "domain"`);
    writeFileSync(file, JSON.stringify({ dyniaStateDir: '/elsewhere' }));
    assert.equal(configError(() => loadConfig({ cwd: dir, env })).message, `${file} has an unknown key "dyniaStateDir"`);
    writeFileSync(file, JSON.stringify({ digitaloceanToken: 42 }));
    assert.equal(configError(() => loadConfig({ cwd: dir, env })).message, `${file}: key "digitaloceanToken" must be a string`);
    writeFileSync(file, '{"dyniaDomain": ');
    assert.match(
      configError(() => loadConfig({ cwd: dir, env })).message,
      new RegExp(`^${file.replace(/[.]/g, '\\.')} is not valid JSON: `),
    );
  });
});

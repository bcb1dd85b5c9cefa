import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { DyniaError } from '../../src/errors.js';
import { renderCaddyfile, type CaddyfileInput } from '../../src/node/caddy/caddyfile.js';

const site = (domain: string, alias: string, port: number) =>
  `${domain} {
	reverse_proxy {
		dynamic a ${alias} ${port} {
			refresh 200ms
		}
		lb_try_duration 3s
		lb_try_interval 5ms
		fail_duration 2s
		transport http {
			dial_timeout 50ms
		}
	}
}`;

const input: CaddyfileInput = {
  acme: { ca: 'https://pebble:14000/dir', caRootPath: '/etc/caddy/acme-root.pem', email: 'ops@example.com' },
  sites: [
    { domain: 'web-1.example.com', upstream: { alias: 'dynia-placeholder', port: 8080 } },
    { domain: 'Shop.example.com', upstream: { alias: 'dynia-upstream-shop-example-com', port: 3000 } },
  ],
};

describe('renderCaddyfile', () => {
  test('global ACME options, then one block per domain, sorted', () => {
    assert.equal(
      renderCaddyfile(input),
      `# Managed by Dynia: rewritten on every change.
{
	email ops@example.com
	cert_issuer acme {
		dir https://pebble:14000/dir
		trusted_roots /etc/caddy/acme-root.pem
		disable_tlsalpn_challenge
	}
}

${site('shop.example.com', 'dynia-upstream-shop-example-com', 3000)}

${site('web-1.example.com', 'dynia-placeholder', 8080)}
`,
    );
  });

  test('defaults: Let’s Encrypt, HTTP-01 only; no sites is a valid file', () => {
    assert.equal(
      renderCaddyfile({ acme: {}, sites: [] }),
      '# Managed by Dynia: rewritten on every change.\n{\n\tcert_issuer acme {\n\t\tdisable_tlsalpn_challenge\n\t}\n}\n',
    );
  });

  test('same input in another order gives the same bytes', () => {
    assert.equal(renderCaddyfile({ ...input, sites: [...input.sites].reverse() }), renderCaddyfile(input));
  });

  test('refuses anything that could inject a directive', () => {
    const bad = (patch: Partial<CaddyfileInput['sites'][number]> | { acme: CaddyfileInput['acme'] }) => () =>
      renderCaddyfile('acme' in patch ? { ...input, ...patch } : { ...input, sites: [{ ...input.sites[0]!, ...patch }] });
    const isInput = (error: DyniaError) => error.kind === 'input';
    assert.throws(bad({ domain: 'a.com {\n\trespond hi\n}\nb.com' }), isInput);
    assert.throws(bad({ domain: 'a.com b.com' }), isInput);
    assert.throws(bad({ upstream: { alias: 'x }', port: 80 } }), isInput);
    assert.throws(bad({ upstream: { alias: 'ok', port: 0 } }), isInput);
    assert.throws(bad({ acme: { ca: 'https://x/dir\n}' } }), isInput);
    assert.throws(bad({ acme: { caRootPath: '/etc/x pem' } }), isInput);
    assert.throws(bad({ acme: { email: 'a@b.com {' } }), isInput);
    assert.throws(
      () => renderCaddyfile({ ...input, sites: [...input.sites, { domain: 'SHOP.example.com', upstream: { alias: 'x', port: 1 } }] }),
      /the domain shop.example.com is bound twice/,
    );
  });

  test('the real caddy (when installed) accepts the output', { skip: spawnSync('caddy', ['version']).status !== 0 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynia-caddyfile-'));
    try {
      const root = join(dir, 'root.pem');
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test', '-keyout', join(dir, 'key.pem'), '-out', root],
        { stdio: 'ignore' },
      );
      const file = join(dir, 'Caddyfile');
      writeFileSync(file, renderCaddyfile({ ...input, acme: { ...input.acme, caRootPath: root } }));
      const adapted = JSON.parse(
        execFileSync('caddy', ['adapt', '--config', file, '--adapter', 'caddyfile'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
      );
      const issuer = adapted.apps.tls.automation.policies[0].issuers[0];
      assert.deepEqual(issuer, {
        ca: 'https://pebble:14000/dir',
        challenges: { 'tls-alpn': { disabled: true } },
        email: 'ops@example.com',
        module: 'acme',
        trusted_roots_pem_files: [root],
      });
      const routes: Array<{ match: Array<{ host: string[] }>; handle: any[] }> = adapted.apps.http.servers.srv0.routes;
      const handler = routes.find((route) => route.match[0]!.host[0] === 'shop.example.com')!.handle[0].routes[0].handle[0];
      assert.deepEqual(handler.dynamic_upstreams, {
        name: 'dynia-upstream-shop-example-com',
        port: '3000',
        refresh: 200_000_000,
        source: 'a',
      });
      execFileSync('caddy', ['validate', '--config', file, '--adapter', 'caddyfile'], {
        stdio: 'ignore',
        env: { ...process.env, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { parseDotenv } from '../../src/config/dotenv.js';
import { DyniaError } from '../../src/errors.js';
import { initDefaults, initValues, tokenLines } from '../../src/commands/init/plan.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'dynia-init-'));

describe('dynia init', () => {
  test('offers the configured domain and ~/.ssh/id_ed25519 when it exists', () => {
    const home = tmp();
    const config = loadConfig({ env: { HOME: home, DYNIA_DOMAIN: 'Example.com' }, cwd: home });
    assert.deepEqual(
      initDefaults(config, (p) => p === join(home, '.ssh/id_ed25519'), home),
      { domain: 'example.com', sshKey: '~/.ssh/id_ed25519' },
    );
    assert.deepEqual(
      initDefaults(loadConfig({ env: { HOME: home }, cwd: home }), () => false, home),
      {},
    );
  });

  test('a configured key that exists wins over the default one', () => {
    const home = tmp();
    const config = loadConfig({ env: { HOME: home, DYNIA_SSH_KEY: '/keys/dynia' }, cwd: home });
    assert.deepEqual(
      initDefaults(config, () => true, home),
      { sshKey: '/keys/dynia' },
    );
  });

  test('answers become config values; bad ones name the question', () => {
    assert.deepEqual(initValues({ domain: 'Example.COM.', sshKey: ' ~/.ssh/dynia ' }), {
      dyniaDomain: 'example.com',
      dyniaSshKey: '~/.ssh/dynia',
    });
    const message = (answers: Parameters<typeof initValues>[0]) => {
      try {
        initValues(answers);
      } catch (error) {
        assert.ok(error instanceof DyniaError && error.kind === 'input');
        return `${error.message} | ${error.hint}`;
      }
      assert.fail('expected an InputError');
    };
    assert.equal(
      message({ sshKey: '~/.ssh/k' }),
      'init needs the domain your Cloudflare zone serves. | Pass --domain example.com (or answer the question).',
    );
    assert.match(message({ domain: 'localhost', sshKey: '~/.ssh/k' }), /^domain "localhost" is not a domain name/);
    assert.match(message({ domain: 'example.com' }), /^init needs the SSH private key/);
  });

  test('tokens: where each comes from, never a value', () => {
    const dir = tmp();
    writeFileSync(join(dir, '.env'), 'export CLOUDFLARE_API_TOKEN="cf-secret" # from the dashboard\n');
    const config = loadConfig({ env: { HOME: dir, DYNIA_STATE_DIR: join(dir, '.dynia') }, cwd: dir });
    const lines = tokenLines(config);
    assert.deepEqual(lines, [
      'DIGITALOCEAN_TOKEN: not set; export it or add DIGITALOCEAN_TOKEN=... to .env (init never writes tokens)',
      'CLOUDFLARE_API_TOKEN: from .env',
    ]);
    assert.equal(config.require('cloudflareApiToken'), 'cf-secret');
  });
});

describe('.env', () => {
  test('KEY=value lines, export, quotes and comments', () => {
    assert.deepEqual(parseDotenv('# tokens\nexport A=1\nB = "two words"\nC=\'x#y\'\nD=plain # note\nnot a line\n'), {
      A: '1',
      B: 'two words',
      C: 'x#y',
      D: 'plain',
    });
  });

  test('the environment wins over .env, .env over config.json', () => {
    const dir = tmp();
    writeFileSync(join(dir, '.env'), 'DYNIA_DOMAIN=dotenv.example\n');
    const base = { HOME: dir, DYNIA_STATE_DIR: join(dir, '.dynia') };
    assert.equal(loadConfig({ env: base, cwd: dir }).get('dyniaDomain'), 'dotenv.example');
    assert.equal(loadConfig({ env: { ...base, DYNIA_DOMAIN: 'env.example' }, cwd: dir }).get('dyniaDomain'), 'env.example');
  });
});

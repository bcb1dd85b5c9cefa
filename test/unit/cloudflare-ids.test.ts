import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Zone } from '../../src/cloud/cloudflare.js';
import { findCloudflareIds, withCloudflareIds, type ZoneLookup } from '../../src/config/cloudflare-ids.js';
import { loadConfig } from '../../src/config/config.js';
import { mergeConfigFile } from '../../src/config/config-file.js';
import type { DyniaError } from '../../src/errors.js';

const ZONE: Zone = { id: 'a'.repeat(32), name: 'example.com', account: { id: 'b'.repeat(32) } };

function fakeCloudflare(zones: Zone[] = [ZONE]) {
  const calls: string[] = [];
  const cf: ZoneLookup = {
    async findZoneByName(name) {
      calls.push(`find ${name}`);
      return zones.find((z) => z.name === name) ?? null;
    },
    async getZone(id) {
      calls.push(`get ${id}`);
      const zone = zones.find((z) => z.id === id);
      if (!zone) throw new Error('404');
      return zone;
    },
  };
  return { cf, calls };
}

const silent = { info() {}, warn() {} };

describe('findCloudflareIds', () => {
  it('finds the zone by DYNIA_DOMAIN and takes its account', async () => {
    const { cf, calls } = fakeCloudflare();
    assert.deepEqual(await findCloudflareIds({ domain: 'example.com' }, cf), {
      zoneId: ZONE.id,
      accountId: ZONE.account!.id,
      lookedUp: ['cloudflareZoneId', 'cloudflareAccountId'],
    });
    assert.deepEqual(calls, ['find example.com']);
  });

  it('makes no call when both ids are given', async () => {
    const { cf, calls } = fakeCloudflare();
    assert.deepEqual(await findCloudflareIds({ domain: 'example.com', zoneId: 'z1', accountId: 'a1' }, cf), {
      zoneId: 'z1',
      accountId: 'a1',
      lookedUp: [],
    });
    assert.deepEqual(calls, []);
  });

  it('reads the account of a given zone id', async () => {
    const { cf, calls } = fakeCloudflare();
    assert.deepEqual(await findCloudflareIds({ domain: 'example.com', zoneId: ZONE.id }, cf), {
      zoneId: ZONE.id,
      accountId: ZONE.account!.id,
      lookedUp: ['cloudflareAccountId'],
    });
    assert.deepEqual(calls, [`get ${ZONE.id}`]);
  });

  it('names the domain and the token when no zone matches', async () => {
    const { cf } = fakeCloudflare([]);
    await assert.rejects(findCloudflareIds({ domain: 'example.com' }, cf), (error: DyniaError) => {
      assert.equal(error.kind, 'config');
      assert.match(error.message, /CLOUDFLARE_API_TOKEN sees no Cloudflare zone named example.com \(DYNIA_DOMAIN\)/);
      return true;
    });
  });
});

describe('withCloudflareIds', () => {
  const env = (dir: string) => ({ HOME: dir, DYNIA_STATE_DIR: join(dir, '.dynia'), DYNIA_DOMAIN: 'example.com' });

  it('caches what it found in config.json, keeping the keys already there; the next run makes no call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynia-ids-'));
    mergeConfigFile(join(dir, '.dynia', 'config.json'), { dyniaSshKey: '~/.ssh/dynia' });
    const { cf, calls } = fakeCloudflare();
    const notices: string[] = [];
    const config = await withCloudflareIds(loadConfig({ env: env(dir) }), cf, {
      info: (m) => notices.push(m),
      warn: (m) => notices.push(`warn ${m}`),
    });
    assert.equal(config.require('cloudflareZoneId'), ZONE.id);
    assert.equal(config.require('cloudflareAccountId'), ZONE.account!.id);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, '.dynia', 'config.json'), 'utf8')), {
      dyniaSshKey: '~/.ssh/dynia',
      cloudflareZoneId: ZONE.id,
      cloudflareAccountId: ZONE.account!.id,
    });
    assert.deepEqual(notices, [
      `found CLOUDFLARE_ZONE_ID=${ZONE.id}, CLOUDFLARE_ACCOUNT_ID=${ZONE.account!.id} from DYNIA_DOMAIN; cached in ${join(dir, '.dynia', 'config.json')}`,
    ]);
    const again = await withCloudflareIds(loadConfig({ env: env(dir) }), cf, silent);
    assert.equal(again.require('cloudflareZoneId'), ZONE.id);
    assert.equal(again.sourceOf('cloudflareZoneId'), 'file');
    assert.deepEqual(calls, ['find example.com']);
  });

  it('environment values win and are not cached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynia-ids-'));
    const { cf, calls } = fakeCloudflare();
    const config = await withCloudflareIds(
      loadConfig({ env: { ...env(dir), CLOUDFLARE_ZONE_ID: 'z1', CLOUDFLARE_ACCOUNT_ID: 'a1' } }),
      cf,
      silent,
    );
    assert.equal(config.require('cloudflareZoneId'), 'z1');
    assert.deepEqual(calls, []);
    assert.throws(() => readFileSync(join(dir, '.dynia', 'config.json')), /ENOENT/);
  });

  it('a cache that cannot be written is a warning, and the ids are still used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynia-ids-'));
    // The temp file the atomic write needs is in the way (a directory).
    mkdirSync(join(dir, '.dynia', `config.json.tmp-${process.pid}`), { recursive: true });
    const { cf } = fakeCloudflare();
    const warnings: string[] = [];
    const config = await withCloudflareIds(loadConfig({ env: env(dir) }), cf, { info() {}, warn: (m) => warnings.push(m) });
    assert.equal(config.require('cloudflareZoneId'), ZONE.id);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /could not cache the Cloudflare ids/);
  });
});

describe('mergeConfigFile', () => {
  it('never writes a token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynia-ids-'));
    assert.throws(
      () => mergeConfigFile(join(dir, 'config.json'), { cloudflareApiToken: 'x' }),
      /refusing to write the secret CLOUDFLARE_API_TOKEN/,
    );
  });
});

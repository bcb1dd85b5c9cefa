/**
 * The calls doctor, the id lookup and the key import make, by Dynia's real clients against the emulators:
 * answers parse with the clients' shapes, and failures come back as the cloud's statuses.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCloudflareEmulator } from '../../sandbox/emulators/cloudflare/server.js';
import { MemoryHostDriver } from '../../sandbox/emulators/digitalocean/memory-hosts.js';
import { startDigitalOceanEmulator } from '../../sandbox/emulators/digitalocean/server.js';
import type { CloudError } from '../../src/cloud/cloud-error.js';
import { CloudflareClient } from '../../src/cloud/cloudflare.js';
import { DigitalOceanClient } from '../../src/cloud/digitalocean.js';
import { findCloudflareIds } from '../../src/config/cloudflare-ids.js';
import { ensureAccountKey } from '../../src/commands/node-create/ssh-key.js';

const ACCOUNT_ID = '01a7362d577a6c3019a474fd6f485823';
const ZONE = { id: '023e105f4ecef8ad9ca31a8372d0c353', name: 'dynia.test' };
const noRetry = { retry: { maxRetries: 0 } };

describe('first-contact calls against the DigitalOcean emulator', () => {
  let emulator: Awaited<ReturnType<typeof startDigitalOceanEmulator>>;
  let client: DigitalOceanClient;
  before(async () => {
    emulator = await startDigitalOceanEmulator({ port: 0, token: 'do-token', hosts: new MemoryHostDriver(), sshKeys: [] });
    client = new DigitalOceanClient({ token: 'do-token', baseUrl: emulator.url, ...noRetry });
  });
  after(async () => {
    await client.close();
    await emulator.close();
  });

  test('account, droplets and firewalls are readable', async () => {
    assert.deepEqual(await client.getAccount(), {
      email: 'sandbox@dynia.test',
      status: 'active',
      droplet_limit: 25,
      uuid: '5b4a2b0d6f1e4c3a9e8d7c6b5a4f3e2d1c0b9a88',
    });
    await client.checkListable('/v2/droplets');
    await client.checkListable('/v2/firewalls');
  });

  test('a wrong token is a 401', async () => {
    const wrong = new DigitalOceanClient({ token: 'nope', baseUrl: emulator.url, ...noRetry });
    await assert.rejects(wrong.getAccount(), (error: CloudError) => error.status === 401 && !error.message.includes('nope'));
    await wrong.close();
  });

  test('a missing key is imported once; the second run finds it', async () => {
    const key = join(mkdtempSync(join(tmpdir(), 'dynia-fc-')), 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ana@laptop', '-f', key]);
    const first = await ensureAccountKey(client, key);
    assert.equal(first.imported, true);
    assert.equal(first.key.name, 'ana@laptop');
    assert.equal(first.key.public_key, readFileSync(`${key}.pub`, 'utf8').trim());
    const again = await ensureAccountKey(client, key);
    assert.deepEqual(again, { key: first.key, imported: false });
    await assert.rejects(client.createSshKey('dup', first.key.public_key), (error: CloudError) => error.status === 422);
  });
});

describe('first-contact calls against the Cloudflare emulator', () => {
  let emulator: Awaited<ReturnType<typeof startCloudflareEmulator>>;
  let client: CloudflareClient;
  before(async () => {
    emulator = await startCloudflareEmulator({
      port: 0,
      token: 'cf-token',
      accountId: ACCOUNT_ID,
      zones: [ZONE],
      workersSubdomain: 'sandbox',
      dns: { publish: () => undefined },
      workers: { deploy: async () => undefined, remove: async () => undefined },
    });
    client = new CloudflareClient({ token: 'cf-token', baseUrl: emulator.url, ...noRetry });
  });
  after(async () => {
    await client.close();
    await emulator.close();
  });

  test('the zone and its account are found from the domain', async () => {
    assert.deepEqual(await findCloudflareIds({ domain: 'dynia.test' }, client), {
      zoneId: ZONE.id,
      accountId: ACCOUNT_ID,
      lookedUp: ['cloudflareZoneId', 'cloudflareAccountId'],
    });
    assert.equal(await client.findZoneByName('other.test'), null);
  });

  test('what doctor reads: token, zone permissions, accounts, DNS and Workers', async () => {
    assert.equal((await client.verifyToken()).status, 'active');
    assert.ok((await client.getZone(ZONE.id)).permissions?.includes('#dns_records:edit'));
    assert.deepEqual(
      (await client.listAccounts()).map((a) => a.id),
      [ACCOUNT_ID],
    );
    await client.checkDnsReadable(ZONE.id);
    await client.checkWorkersReadable(ACCOUNT_ID);
  });

  test('a wrong token is refused and never quoted', async () => {
    const wrong = new CloudflareClient({ token: 'wrong-secret', baseUrl: emulator.url, ...noRetry });
    await assert.rejects(wrong.verifyToken(), (error: CloudError) => error.status === 403 && !error.message.includes('wrong-secret'));
    await wrong.close();
  });
});

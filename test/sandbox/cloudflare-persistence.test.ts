import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DnsRecord } from '../../sandbox/emulators/cloudflare/dns-store.js';
import { startCloudflareEmulator } from '../../sandbox/emulators/cloudflare/server.js';

const TOKEN = 'persistence-test-token';
const ZONE = { id: '023e105f4ecef8ad9ca31a8372d0c353', name: 'dynia.test' };

test('DNS records outlive an emulator restart and are published again at start', async () => {
  let saved: DnsRecord[] = [];
  const published: Array<{ zone: string; names: string[] }> = [];
  const start = () =>
    startCloudflareEmulator({
      port: 0,
      token: TOKEN,
      accountId: '01a7362d577a6c3019a474fd6f485823',
      zones: [ZONE],
      workersSubdomain: 'sandbox',
      dns: { publish: (zone, records) => published.push({ zone, names: records.map((r) => r.name) }) },
      dnsPersistence: { load: () => saved, save: (records) => (saved = records) },
      workers: { deploy: async () => undefined, remove: async () => undefined },
    });
  const first = await start();
  const created = await fetch(`${first.url}/zones/${ZONE.id}/dns_records`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'A', name: 'web-1.dynia.test', content: '172.29.0.10', ttl: 60 }),
  });
  assert.equal(created.status, 200);
  await first.close();

  published.length = 0;
  const second = await start();
  const list = (await (
    await fetch(`${second.url}/zones/${ZONE.id}/dns_records`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).json()) as { result: Array<{ name: string; content: string }> };
  await second.close();
  assert.deepEqual(
    list.result.map((r) => [r.name, r.content]),
    [['web-1.dynia.test', '172.29.0.10']],
  );
  assert.deepEqual(published, [{ zone: 'dynia.test', names: ['web-1.dynia.test'] }]);
});

/** Cloudflare emulator: KV namespaces, values, keys and bulk; Cron Triggers; script settings; the on-demand cron control. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cronMatches, parseCron } from '../../sandbox/emulators/cloudflare/cron.js';
import { startCloudflareEmulator } from '../../sandbox/emulators/cloudflare/server.js';
import type { WorkerRuntime } from '../../sandbox/emulators/ports.js';

const TOKEN = 'cf-kv-test-token';
const ACCOUNT_ID = '01a7362d577a6c3019a474fd6f485823';
const KV = `/accounts/${ACCOUNT_ID}/storage/kv/namespaces`;
const SCRIPTS = `/accounts/${ACCOUNT_ID}/workers/scripts`;

type Json = Record<string, any>;
type DeploySpec = Parameters<WorkerRuntime['deploy']>[0];

describe('cloudflare emulator: KV, Cron Triggers, settings', () => {
  let url = '';
  let close: () => Promise<void>;
  const deployed: DeploySpec[] = [];
  const fired: Array<[string, string]> = [];

  async function call(method: string, path: string, body?: unknown, raw?: { body: BodyInit; contentType?: string }) {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (raw?.contentType) headers['content-type'] = raw.contentType;
    const res = await fetch(url + path, { method, headers, body: raw ? raw.body : body === undefined ? undefined : JSON.stringify(body) });
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, body: type.startsWith('application/json') ? ((await res.json()) as Json) : await res.text() } as {
      status: number;
      type: string;
      body: any;
    };
  }

  async function uploadWith(bindings: unknown[]) {
    const form = new FormData();
    form.set('metadata', new Blob([JSON.stringify({ main_module: 'w.mjs', bindings })], { type: 'application/json' }));
    form.set(
      'w.mjs',
      new Blob(['export default { fetch() { return new Response("x"); }, scheduled() {} };'], { type: 'application/javascript+module' }),
      'w.mjs',
    );
    return call('PUT', `${SCRIPTS}/slb`, undefined, { body: form });
  }

  before(async () => {
    const emulator = await startCloudflareEmulator({
      port: 0,
      token: TOKEN,
      accountId: ACCOUNT_ID,
      zones: [],
      workersSubdomain: 'sandbox',
      dns: { publish: () => undefined },
      workers: {
        deploy: async (spec) => void deployed.push(spec),
        remove: async () => undefined,
        scheduled: async (name, cron) => (fired.push([name, cron]), 'ok'),
      },
    });
    url = emulator.url;
    close = emulator.close;
  });
  after(() => close());

  it('creates a namespace once (a second one with the same title is refused), lists, renames and deletes it', async () => {
    const created = await call('POST', KV, { title: 'slb-health' });
    assert.equal(created.status, 200);
    assert.match(created.body.result.id, /^[0-9a-f]{32}$/);
    assert.deepEqual(created.body.result, { id: created.body.result.id, title: 'slb-health', supports_url_encoding: true });
    const again = await call('POST', KV, { title: 'slb-health' });
    assert.equal(again.status, 400);
    assert.deepEqual(again.body.errors, [{ code: 10014, message: 'A namespace with this account ID and title already exists' }]);
    const list = await call('GET', `${KV}?per_page=5`);
    assert.deepEqual(
      list.body.result.map((n: Json) => n.title),
      ['slb-health'],
    );
    assert.deepEqual(list.body.result_info, { page: 1, per_page: 5, count: 1, total_count: 1, total_pages: 1 });
    const other = (await call('POST', KV, { title: 'tmp' })).body.result.id;
    assert.equal((await call('PUT', `${KV}/${other}`, { title: 'tmp2' })).status, 200);
    assert.equal((await call('GET', `${KV}/${other}`)).body.result.title, 'tmp2');
    assert.equal((await call('DELETE', `${KV}/${other}`)).status, 200);
    const gone = await call('GET', `${KV}/${other}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.errors[0].code, 10013);
  });

  it('writes, reads, lists and deletes values (raw and multipart with metadata, keys with slashes, bulk)', async () => {
    const ns = (await call('POST', KV, { title: 'values' })).body.result.id;
    assert.equal(
      (await call('PUT', `${KV}/${ns}/values/health%3Av1`, undefined, { body: '{"up":true}', contentType: 'application/octet-stream' }))
        .status,
      200,
    );
    const read = await call('GET', `${KV}/${ns}/values/health%3Av1`);
    assert.deepEqual([read.status, read.type, read.body], [200, 'application/octet-stream', '{"up":true}']);
    const form = new FormData();
    form.set('value', 'v');
    form.set('metadata', '{"by":"test"}');
    assert.equal((await call('PUT', `${KV}/${ns}/values/a%2Fb?expiration_ttl=120`, undefined, { body: form })).status, 200);
    const bulk = await call('PUT', `${KV}/${ns}/bulk`, [
      { key: 'k1', value: 'one' },
      { key: 'k2', value: Buffer.from('two').toString('base64'), base64: true },
    ]);
    assert.deepEqual(bulk.body.result, { successful_key_count: 2, unsuccessful_keys: [] });
    assert.equal((await call('GET', `${KV}/${ns}/values/k2`)).body, 'two');
    const keys = await call('GET', `${KV}/${ns}/keys?limit=10`);
    assert.deepEqual(
      keys.body.result.map((k: Json) => k.name),
      ['a/b', 'health:v1', 'k1', 'k2'],
    );
    assert.deepEqual(keys.body.result[0].metadata, { by: 'test' });
    assert.equal(typeof keys.body.result[0].expiration, 'number');
    assert.deepEqual(keys.body.result_info, { count: 4, cursor: '' });
    const paged = await call('GET', `${KV}/${ns}/keys?limit=10&prefix=k`);
    assert.deepEqual(
      paged.body.result.map((k: Json) => k.name),
      ['k1', 'k2'],
    );
    assert.equal((await call('DELETE', `${KV}/${ns}/bulk`, ['k1', 'k2'])).status, 200);
    assert.equal((await call('DELETE', `${KV}/${ns}/values/a%2Fb`)).status, 200);
    const missing = await call('GET', `${KV}/${ns}/values/k1`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.errors[0].code, 10009);
    assert.equal((await call('PUT', `${KV}/${ns}/values/x?expiration_ttl=5`, undefined, { body: 'v' })).status, 400);
  });

  it('binds a KV namespace on upload (an unknown one is refused) and shows it in the settings', async () => {
    const ns = (await call('POST', KV, { title: 'bound' })).body.result.id;
    const refused = await uploadWith([{ type: 'kv_namespace', name: 'HEALTH', namespace_id: 'f'.repeat(32) }]);
    assert.equal(refused.status, 400);
    const ok = await uploadWith([
      { type: 'json', name: 'ORIGINS', json: ['https://a'] },
      { type: 'kv_namespace', name: 'HEALTH', namespace_id: ns },
    ]);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.result.handlers, ['fetch', 'scheduled']);
    assert.deepEqual(deployed.at(-1)!.kvNamespaces, { HEALTH: ns });
    assert.deepEqual(deployed.at(-1)!.bindings, { ORIGINS: '["https://a"]' });
    const settings = await call('GET', `${SCRIPTS}/slb/settings`);
    assert.deepEqual(settings.body.result.bindings[1], { type: 'kv_namespace', name: 'HEALTH', namespace_id: ns });

    const patch = new FormData();
    patch.set(
      'settings',
      new Blob([JSON.stringify({ bindings: [{ type: 'plain_text', name: 'ORIGINS', text: 'https://b' }] })], { type: 'application/json' }),
    );
    const patched = await call('PATCH', `${SCRIPTS}/slb/settings`, undefined, { body: patch });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.result.bindings, [{ type: 'plain_text', name: 'ORIGINS', text: 'https://b' }]);
    assert.deepEqual(deployed.at(-1)!.bindings, { ORIGINS: 'https://b' });
  });

  it('keeps Cron Triggers per script (idempotent PUT, validated) and fires them on demand', async () => {
    await uploadWith([]);
    assert.deepEqual((await call('GET', `${SCRIPTS}/slb/schedules`)).body.result, { schedules: [] });
    const put = await call('PUT', `${SCRIPTS}/slb/schedules`, [{ cron: '* * * * *' }]);
    assert.equal(put.status, 200);
    const [first] = put.body.result.schedules;
    assert.equal(first.cron, '* * * * *');
    const again = await call('PUT', `${SCRIPTS}/slb/schedules`, [{ cron: '* * * * *' }]);
    assert.equal(again.body.result.schedules[0].created_on, first.created_on);
    assert.equal((await call('PUT', `${SCRIPTS}/slb/schedules`, [{ cron: '61 * * * *' }])).status, 400);
    assert.equal((await call('GET', `${SCRIPTS}/nope/schedules`)).status, 404);

    const control = url.replace(/\/client\/v4$/, '');
    const res = await fetch(`${control}/__sandbox/scheduled`, { method: 'POST', body: JSON.stringify({ script: 'slb' }) });
    assert.deepEqual([res.status, await res.json()], [200, { outcome: 'ok', cron: '* * * * *' }]);
    assert.deepEqual(fired.at(-1), ['slb', '* * * * *']);
    assert.equal((await fetch(`${control}/__sandbox/scheduled`, { method: 'POST', body: '{"script":"nope"}' })).status, 404);
  });

  it('answers script-settings (logpush, tail consumers)', async () => {
    await uploadWith([]);
    assert.deepEqual((await call('GET', `${SCRIPTS}/slb/script-settings`)).body.result, { logpush: false, tail_consumers: [] });
    const patched = await call('PATCH', `${SCRIPTS}/slb/script-settings`, { logpush: true });
    assert.deepEqual(patched.body.result, { logpush: true, tail_consumers: [] });
  });
});

describe('cron expressions', () => {
  it('match minutes, ranges, steps, lists and days (UTC)', () => {
    const at = new Date('2026-12-01T12:30:00Z'); // a Tuesday
    assert.equal(cronMatches(parseCron('* * * * *'), at), true);
    assert.equal(cronMatches(parseCron('*/15 * * * *'), at), true);
    assert.equal(cronMatches(parseCron('*/7 * * * *'), at), false);
    assert.equal(cronMatches(parseCron('30 9-17 * * 1-5'), at), true);
    assert.equal(cronMatches(parseCron('30 12 * * 0,6'), at), false);
    assert.equal(cronMatches(parseCron('30 12 1 * 0'), at), true, 'day of month OR day of week');
    assert.throws(() => parseCron('* * * *'), /5 fields/);
    assert.throws(() => parseCron('60 * * * *'), /out of range/);
  });
});

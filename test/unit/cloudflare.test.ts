import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import type { CloudError } from '../../src/cloud/cloud-error.js';
import { CloudflareClient, hasMorePages, type DnsRecord } from '../../src/cloud/cloudflare.js';

const TOKEN = 'cf_unit_test_token_0123456789';
const ZONE = '023e105f4ecef8ad9ca31a8372d0c353';
const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';

interface Seen {
  method: string;
  url: URL;
  contentType: string;
  raw: Buffer;
}

const ok = (result: unknown, extra: Record<string, unknown> = {}) => ({ success: true, errors: [], messages: [], result, ...extra });
const fail = (code: number, message: string) => ({ success: false, errors: [{ code, message }], messages: [], result: null });

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A local stand-in for api.cloudflare.com/client/v4 (routes by `METHOD path`). */
async function fakeCf(t: TestContext, route: (req: Seen, res: ServerResponse) => void) {
  const requests: Seen[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen = {
      method: req.method!,
      url: new URL(req.url!, 'http://x'),
      contentType: req.headers['content-type'] ?? '',
      raw: Buffer.concat(chunks),
    };
    requests.push(seen);
    route(seen, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = new CloudflareClient({
    token: TOKEN,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`,
    retry: { baseDelayMs: 1 },
  });
  t.after(async () => {
    await client.close();
    server.closeAllConnections();
    server.close();
  });
  return { client, requests };
}

const jsonOf = (req: Seen) => JSON.parse(req.raw.toString());
const call = (req: Seen) => `${req.method} ${req.url.pathname.replace('/client/v4', '')}`;

/** An in-memory DNS zone serving pages of at most 2 records, counting like the 2024 schema (no total_pages). */
function dnsZone(records: DnsRecord[]) {
  let nextId = 100;
  return (req: Seen, res: ServerResponse) => {
    const base = `/client/v4/zones/${ZONE}/dns_records`;
    if (req.method === 'GET' && req.url.pathname === base) {
      const name = req.url.searchParams.get('name');
      const type = req.url.searchParams.get('type');
      const matching = records.filter((r) => (!name || r.name === name) && (!type || r.type === type));
      const page = Number(req.url.searchParams.get('page') ?? 1);
      const perPage = Math.min(2, Number(req.url.searchParams.get('per_page') ?? 100));
      const slice = matching.slice((page - 1) * perPage, page * perPage);
      return send(res, 200, ok(slice, { result_info: { page, per_page: perPage, count: slice.length, total_count: matching.length } }));
    }
    if (req.method === 'POST' && req.url.pathname === base) {
      const record = { id: `rec${nextId++}`, ...jsonOf(req) };
      records.push(record);
      return send(res, 200, ok(record));
    }
    const id = req.url.pathname.slice(base.length + 1);
    const index = records.findIndex((r) => r.id === id);
    if (index < 0) return send(res, 404, fail(81044, 'Record does not exist.'));
    if (req.method === 'PUT') {
      records[index] = { id, ...jsonOf(req) };
      return send(res, 200, ok(records[index]));
    }
    if (req.method === 'DELETE') {
      records.splice(index, 1);
      return send(res, 200, { result: { id } });
    }
    send(res, 405, fail(10000, 'method not allowed'));
  };
}

const aRecord = (id: string, name: string, content: string, ttl = 60): DnsRecord => ({ id, type: 'A', name, content, ttl, proxied: false });

describe('hasMorePages', () => {
  it('reads whichever counter Cloudflare sends', () => {
    assert.equal(hasMorePages({ page: 1, total_pages: 2 }, 5), true);
    assert.equal(hasMorePages({ page: 2, total_pages: 2 }, 5), false);
    assert.equal(hasMorePages({ page: 1, per_page: 2, total_count: 3 }, 2), true);
    assert.equal(hasMorePages({ page: 2, per_page: 2, total_count: 3 }, 1), false);
    assert.equal(hasMorePages({ page: 1, per_page: 2 }, 2), true);
    assert.equal(hasMorePages({ page: 1, per_page: 2 }, 1), false);
    assert.equal(hasMorePages(undefined, 100), false);
  });
});

describe('CloudflareClient', () => {
  it('verifies the token and reads zones', async (t) => {
    const zone = { id: ZONE, name: 'dynia.test', status: 'active', account: { id: ACCOUNT, name: 'acct' }, name_servers: [] };
    const { client, requests } = await fakeCf(t, (req, res) => {
      if (call(req) === 'GET /user/tokens/verify') return send(res, 200, ok({ id: 'tok1', status: 'active' }));
      if (call(req) === `GET /zones/${ZONE}`) return send(res, 200, ok(zone));
      if (call(req) === 'GET /zones') {
        const list = req.url.searchParams.get('name') === 'dynia.test' ? [zone] : [];
        return send(
          res,
          200,
          ok(list, { result_info: { page: 1, per_page: 50, count: list.length, total_count: list.length, total_pages: 1 } }),
        );
      }
      send(res, 404, fail(7003, 'Could not route'));
    });
    assert.deepEqual(await client.verifyToken(), { id: 'tok1', status: 'active' });
    assert.deepEqual(await client.getZone(ZONE), { id: ZONE, name: 'dynia.test', status: 'active', account: { id: ACCOUNT } });
    assert.equal((await client.findZoneByName('dynia.test'))?.id, ZONE);
    assert.equal(await client.findZoneByName('other.test'), null);
    assert.equal(requests[0]!.url.pathname, '/client/v4/user/tokens/verify');
  });

  it('lists DNS records across pages, passing the filters', async (t) => {
    const records = [1, 2, 3, 4, 5].map((n) => aRecord(`r${n}`, 'web.dynia.test', `203.0.113.${n}`));
    records.push(aRecord('other', 'api.dynia.test', '203.0.113.99'));
    const { client, requests } = await fakeCf(t, dnsZone(records));
    const listed = await client.listDnsRecords(ZONE, { name: 'web.dynia.test', type: 'A' });
    assert.deepEqual(
      listed.map((r) => r.id),
      ['r1', 'r2', 'r3', 'r4', 'r5'],
    );
    assert.equal(requests.length, 3);
    assert.deepEqual([...requests[0]!.url.searchParams.keys()].sort(), ['name', 'page', 'per_page', 'type']);
  });

  it('upserts an A record: create, leave alone, update, remove duplicates', async (t) => {
    const records: DnsRecord[] = [aRecord('keep-me', 'api.dynia.test', '203.0.113.50')];
    const { client, requests } = await fakeCf(t, dnsZone(records));
    const writes = () => requests.filter((r) => r.method !== 'GET').map(call);

    const created = await client.upsertARecord(ZONE, { name: 'web.dynia.test', ip: '203.0.113.7', ttl: 60, proxied: false });
    assert.equal(created.changed, true);
    assert.deepEqual(
      { ...created.record, id: 'x' },
      { id: 'x', type: 'A', name: 'web.dynia.test', content: '203.0.113.7', ttl: 60, proxied: false },
    );
    assert.deepEqual(writes(), [`POST /zones/${ZONE}/dns_records`]);
    assert.deepEqual(jsonOf(requests.at(-1)!), { type: 'A', name: 'web.dynia.test', content: '203.0.113.7', ttl: 60, proxied: false });

    const same = await client.upsertARecord(ZONE, { name: 'web.dynia.test', ip: '203.0.113.7', ttl: 60 });
    assert.deepEqual(same, { record: created.record, changed: false });
    assert.equal(writes().length, 1);

    const moved = await client.upsertARecord(ZONE, { name: 'web.dynia.test', ip: '203.0.113.8', ttl: 60 });
    assert.equal(moved.changed, true);
    assert.equal(moved.record.id, created.record.id);
    assert.equal(moved.record.content, '203.0.113.8');
    assert.equal(writes().at(-1), `PUT /zones/${ZONE}/dns_records/${created.record.id}`);

    records.push(aRecord('dup1', 'web.dynia.test', '203.0.113.1'), aRecord('dup2', 'web.dynia.test', '203.0.113.9'));
    const cleaned = await client.upsertARecord(ZONE, { name: 'web.dynia.test', ip: '203.0.113.9', ttl: 60 });
    assert.deepEqual(cleaned, { record: aRecord('dup2', 'web.dynia.test', '203.0.113.9'), changed: true });
    assert.deepEqual(records.map((r) => r.id).sort(), ['dup2', 'keep-me']);
  });

  it('deletes DNS records, tolerating one already gone', async (t) => {
    const { client } = await fakeCf(t, dnsZone([aRecord('r1', 'web.dynia.test', '203.0.113.1')]));
    assert.equal(await client.deleteDnsRecord(ZONE, 'r1'), true);
    assert.equal(await client.deleteDnsRecord(ZONE, 'r1'), false);
  });

  it("surfaces Cloudflare's error codes and messages", async (t) => {
    const { client } = await fakeCf(t, (_req, res) =>
      send(res, 400, fail(81057, 'An A, AAAA, or CNAME record with that host already exists.')),
    );
    await assert.rejects(
      client.createDnsRecord(ZONE, { type: 'A', name: 'web.dynia.test', content: '203.0.113.1', ttl: 60 }),
      (error: CloudError) => {
        assert.equal(error.status, 400);
        assert.equal(
          error.message,
          `Cloudflare POST /zones/${ZONE}/dns_records failed (HTTP 400): 81057: An A, AAAA, or CNAME record with that host already exists.`,
        );
        return true;
      },
    );
  });

  it('treats success:false in a 200 answer as a failure', async (t) => {
    const { client } = await fakeCf(t, (_req, res) => send(res, 200, fail(1000, 'Something odd')));
    await assert.rejects(
      client.getZone(ZONE),
      /Cloudflare GET \/zones\/\w+ failed \(HTTP 200\): the API reported failure: 1000: Something odd/,
    );
  });

  it('waits out a 429 with retry-after', async (t) => {
    let n = 0;
    const { client, requests } = await fakeCf(t, (_req, res) =>
      n++ === 0 ? send(res, 429, fail(10000, 'Rate limited'), { 'retry-after': '0' }) : send(res, 200, ok({ id: 't', status: 'active' })),
    );
    assert.equal((await client.verifyToken()).status, 'active');
    assert.equal(requests.length, 2);
  });

  it('uploads an ES-module Worker as multipart with metadata and a module part', async (t) => {
    const { client, requests } = await fakeCf(t, (_req, res) =>
      send(res, 200, ok({ id: 'dynia-slb', etag: 'e1', modified_on: '2026-01-01T00:00:00Z' })),
    );
    const code = 'export default { fetch() { return new Response("hi") } }';
    const uploaded = await client.uploadWorkerModule(ACCOUNT, 'dynia-slb', {
      mainModule: 'worker.js',
      code,
      compatibilityDate: '2024-09-23',
      bindings: [
        { type: 'plain_text', name: 'ORIGINS_VERSION', text: '3' },
        { type: 'json', name: 'ORIGINS', json: ['https://web-1.dynia.test'] },
      ],
    });
    assert.equal(uploaded.etag, 'e1');
    const req = requests[0]!;
    assert.equal(call(req), `PUT /accounts/${ACCOUNT}/workers/scripts/dynia-slb`);
    assert.match(req.contentType, /^multipart\/form-data; boundary=/);
    const form = await new Response(new Uint8Array(req.raw), { headers: { 'content-type': req.contentType } }).formData();
    const metadata = form.get('metadata') as File;
    assert.deepEqual(JSON.parse(await metadata.text()), {
      main_module: 'worker.js',
      compatibility_date: '2024-09-23',
      bindings: [
        { type: 'plain_text', name: 'ORIGINS_VERSION', text: '3' },
        { type: 'json', name: 'ORIGINS', json: ['https://web-1.dynia.test'] },
      ],
    });
    const module = form.get('worker.js') as File;
    assert.equal(module.name, 'worker.js');
    assert.equal(module.type, 'application/javascript+module');
    assert.equal(await module.text(), code);
  });

  it('reads Worker settings (null when the script does not exist)', async (t) => {
    const { client } = await fakeCf(t, (req, res) =>
      call(req) === `GET /accounts/${ACCOUNT}/workers/scripts/dynia-slb/settings`
        ? send(
            res,
            200,
            ok({ bindings: [{ type: 'json', name: 'ORIGINS', json: ['https://a'] }], compatibility_date: '2024-09-23', logpush: false }),
          )
        : send(res, 404, fail(10007, 'This Worker does not exist on your account.')),
    );
    assert.deepEqual(await client.getWorkerSettings(ACCOUNT, 'dynia-slb'), {
      bindings: [{ type: 'json', name: 'ORIGINS', json: ['https://a'] }],
      compatibility_date: '2024-09-23',
    });
    assert.equal(await client.getWorkerSettings(ACCOUNT, 'missing'), null);
  });

  it('reads the workers.dev subdomain in either field name', async (t) => {
    let shape = 0;
    const { client } = await fakeCf(t, (_req, res) => send(res, 200, ok(shape++ === 0 ? { subdomain: 'acme' } : { name: 'legacy' })));
    assert.equal(await client.getWorkersSubdomain(ACCOUNT), 'acme');
    assert.equal(await client.getWorkersSubdomain(ACCOUNT), 'legacy');
  });

  it('enables workers.dev for a script, retrying a 5xx since repeating is harmless', async (t) => {
    let n = 0;
    const { client, requests } = await fakeCf(t, (_req, res) =>
      n++ === 0 ? send(res, 503, fail(10013, 'busy')) : send(res, 200, ok({ enabled: true, previews_enabled: true })),
    );
    await client.enableWorkersDev(ACCOUNT, 'dynia-slb');
    assert.deepEqual(requests.map(call), [
      `POST /accounts/${ACCOUNT}/workers/scripts/dynia-slb/subdomain`,
      `POST /accounts/${ACCOUNT}/workers/scripts/dynia-slb/subdomain`,
    ]);
    assert.deepEqual(jsonOf(requests[1]!), { enabled: true });
  });

  it('lists and creates Worker routes', async (t) => {
    const routes = [{ id: 'route1', pattern: 'old.dynia.test/*', script: 'other' }];
    const { client, requests } = await fakeCf(t, (req, res) => {
      if (req.method === 'GET') return send(res, 200, ok(routes));
      const body = jsonOf(req);
      routes.push({ id: 'route2', ...body });
      send(res, 200, ok({ id: 'route2' }));
    });
    const created = await client.createWorkerRoute(ZONE, { pattern: 'app.dynia.test/*', script: 'dynia-slb' });
    assert.deepEqual(created, { id: 'route2', pattern: 'app.dynia.test/*', script: 'dynia-slb' });
    assert.deepEqual(await client.listWorkerRoutes(ZONE), routes);
    assert.deepEqual(requests.map(call), [`POST /zones/${ZONE}/workers/routes`, `GET /zones/${ZONE}/workers/routes`]);
  });
});

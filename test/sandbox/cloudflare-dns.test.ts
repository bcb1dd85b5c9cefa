/** Cloudflare emulator: DNS records CRUD, filters, pagination, validation errors and publishing to the DNS sink. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startCloudflareEmulator } from '../../sandbox/emulators/cloudflare/server.js';
import { emulatorCall } from './emulator-call.js';

const TOKEN = 'cf-dns-test-token';
const ZONE = { id: '023e105f4ecef8ad9ca31a8372d0c353', name: 'dynia.test' };
const OTHER_ZONE = { id: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', name: 'other.test' };
const RECORDS = `/zones/${ZONE.id}/dns_records`;

/** The official DNS record object (dns-records_dns-record + the fields Cloudflare always returns). */
const RECORD_KEYS = [
  'comment',
  'content',
  'created_on',
  'id',
  'locked',
  'meta',
  'modified_on',
  'name',
  'proxiable',
  'proxied',
  'tags',
  'ttl',
  'type',
  'zone_id',
  'zone_name',
];

type Json = Record<string, any>;
type Published = { zone: string; records: Array<{ name: string; type: string; content: string; ttl: number }> };

describe('cloudflare emulator: dns records', () => {
  let url = '';
  let close: () => Promise<void>;
  let published: Published[] = [];

  const call = (method: string, path: string, body?: unknown) => emulatorCall(url, method, path, { token: TOKEN, body });

  const create = (record: Json) => call('POST', RECORDS, record);
  const errorsOf = (answer: { body: Json }) => answer.body.errors as Array<{ code: number; message: string }>;

  async function clearZone(): Promise<void> {
    const { body } = await call('GET', `${RECORDS}?per_page=5000`);
    for (const record of body.result) await call('DELETE', `${RECORDS}/${record.id}`);
    published = [];
  }

  before(async () => {
    const emulator = await startCloudflareEmulator({
      port: 0,
      token: TOKEN,
      accountId: '01a7362d577a6c3019a474fd6f485823',
      zones: [ZONE, OTHER_ZONE],
      workersSubdomain: 'sandbox',
      dns: { publish: (zone, records) => published.push({ zone, records }) },
      workers: { deploy: async () => undefined, remove: async () => undefined },
    });
    url = emulator.url;
    close = emulator.close;
  });
  beforeEach(clearZone);
  after(() => close());

  it('creates an A record with the official shape and publishes the zone', async () => {
    const { status, body } = await create({ type: 'A', name: 'web-1', content: '172.29.0.10', ttl: 60, proxied: false });
    assert.equal(status, 200);
    assert.equal(body.success, true);
    const record = body.result;
    assert.deepEqual(Object.keys(record).sort(), RECORD_KEYS);
    assert.match(record.id, /^[0-9a-f]{32}$/);
    assert.equal(record.zone_id, ZONE.id);
    assert.equal(record.zone_name, 'dynia.test');
    assert.equal(record.name, 'web-1.dynia.test');
    assert.equal(record.type, 'A');
    assert.equal(record.content, '172.29.0.10');
    assert.equal(record.ttl, 60);
    assert.equal(record.proxiable, true);
    assert.equal(record.proxied, false);
    assert.equal(record.locked, false);
    assert.equal(record.comment, null);
    assert.deepEqual(record.tags, []);
    assert.ok(!Number.isNaN(Date.parse(record.created_on)) && record.created_on === record.modified_on);
    assert.deepEqual(published, [
      { zone: 'dynia.test', records: [{ name: 'web-1.dynia.test', type: 'A', content: '172.29.0.10', ttl: 60 }] },
    ]);
  });

  it('expands names: bare label, @ for the apex, FQDN with trailing dot', async () => {
    assert.equal((await create({ type: 'A', name: '@', content: '10.0.0.1' })).body.result.name, 'dynia.test');
    assert.equal((await create({ type: 'A', name: 'API.dynia.test.', content: '10.0.0.2' })).body.result.name, 'api.dynia.test');
    assert.equal((await create({ type: 'A', name: 'a.b.dynia.test', content: '10.0.0.3' })).body.result.name, 'a.b.dynia.test');
    assert.equal((await create({ type: 'TXT', name: '_acme', content: 'token' })).body.result.name, '_acme.dynia.test');
  });

  it('defaults ttl to 1 (automatic) and proxied to false; TXT is not proxiable', async () => {
    const a = (await create({ type: 'A', name: 'auto', content: '10.0.0.1' })).body.result;
    assert.equal(a.ttl, 1);
    assert.equal(a.proxied, false);
    const txt = (await create({ type: 'TXT', name: 'auto', content: 'hello world' })).body.result;
    assert.equal(txt.proxiable, false);
    const proxied = (await create({ type: 'A', name: 'cdn', content: '10.0.0.9', proxied: true, ttl: 300 })).body.result;
    assert.equal(proxied.ttl, 1, 'proxied records always use the automatic TTL');
  });

  describe('validation', () => {
    const cases: Array<[string, Json, number, number, string]> = [
      ['name outside the zone', { type: 'A', name: 'web.example.com', content: '10.0.0.1' }, 400, 9000, 'DNS name is invalid.'],
      ['empty name', { type: 'A', name: '', content: '10.0.0.1' }, 400, 9000, 'DNS name is invalid.'],
      ['bad label', { type: 'A', name: 'we b', content: '10.0.0.1' }, 400, 9000, 'DNS name is invalid.'],
      [
        'A with a hostname',
        { type: 'A', name: 'web', content: 'example.com' },
        400,
        9005,
        'Content for A record must be a valid IPv4 address.',
      ],
      ['A with an IPv6', { type: 'A', name: 'web', content: '::1' }, 400, 9005, 'Content for A record must be a valid IPv4 address.'],
      ['A with 256', { type: 'A', name: 'web', content: '10.0.0.256' }, 400, 9005, 'Content for A record must be a valid IPv4 address.'],
      [
        'AAAA with an IPv4',
        { type: 'AAAA', name: 'web', content: '10.0.0.1' },
        400,
        9006,
        'Content for AAAA record must be a valid IPv6 address.',
      ],
      [
        'CNAME to an invalid host',
        { type: 'CNAME', name: 'www', content: 'not a host' },
        400,
        9007,
        'Content for CNAME record is invalid.',
      ],
      [
        'TTL 30',
        { type: 'A', name: 'web', content: '10.0.0.1', ttl: 30 },
        400,
        9021,
        'Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.',
      ],
      [
        'TTL 86401',
        { type: 'A', name: 'web', content: '10.0.0.1', ttl: 86401 },
        400,
        9021,
        'Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.',
      ],
      [
        'TTL as a string',
        { type: 'A', name: 'web', content: '10.0.0.1', ttl: '60' },
        400,
        9021,
        'Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.',
      ],
      ['proxied TXT', { type: 'TXT', name: 'web', content: 'x', proxied: true }, 400, 9004, 'This record type cannot be proxied.'],
    ];
    for (const [title, record, status, code, message] of cases) {
      it(`rejects ${title} (${code})`, async () => {
        const answer = await create(record);
        assert.equal(answer.status, status);
        assert.deepEqual(answer.body, { success: false, errors: [{ code, message }], messages: [], result: null });
      });
    }

    it('rejects unsupported record types (MX) and a missing type', async () => {
      for (const record of [
        { type: 'MX', name: 'mail', content: 'mx.dynia.test' },
        { name: 'web', content: '10.0.0.1' },
      ]) {
        const answer = await create(record);
        assert.equal(answer.status, 400);
        assert.equal(errorsOf(answer)[0]!.code, 1004);
      }
      assert.deepEqual(published, [], 'nothing was published');
    });

    it('refuses an identical record (81057) but allows a second A with another address', async () => {
      await create({ type: 'A', name: 'rr', content: '10.0.0.1' });
      const duplicate = await create({ type: 'A', name: 'rr.dynia.test', content: '10.0.0.1', ttl: 120 });
      assert.equal(duplicate.status, 400);
      assert.deepEqual(errorsOf(duplicate), [{ code: 81057, message: 'Record already exists.' }]);
      assert.equal((await create({ type: 'A', name: 'rr', content: '10.0.0.2' })).status, 200);
    });

    it('refuses a CNAME next to an A, and an A next to a CNAME (81053)', async () => {
      await create({ type: 'A', name: 'host', content: '10.0.0.1' });
      const cname = await create({ type: 'CNAME', name: 'host', content: 'elsewhere.dynia.test' });
      assert.equal(cname.status, 400);
      assert.equal(errorsOf(cname)[0]!.code, 81053);
      await create({ type: 'CNAME', name: 'alias', content: 'host.dynia.test' });
      const a = await create({ type: 'A', name: 'alias', content: '10.0.0.2' });
      assert.equal(errorsOf(a)[0]!.code, 81053);
      assert.equal((await create({ type: 'TXT', name: 'host', content: 'v=1' })).status, 200, 'TXT may share the name of an A');
    });
  });

  it('filters by name, type and content', async () => {
    await create({ type: 'A', name: 'web-1', content: '10.0.0.1' });
    await create({ type: 'A', name: 'web-2', content: '10.0.0.2' });
    await create({ type: 'TXT', name: 'web-1', content: 'hello' });
    const names = (answer: { body: Json }) => answer.body.result.map((r: Json) => `${r.type} ${r.name} ${r.content}`);
    assert.deepEqual(names(await call('GET', `${RECORDS}?name=web-1.dynia.test`)), [
      'A web-1.dynia.test 10.0.0.1',
      'TXT web-1.dynia.test hello',
    ]);
    assert.deepEqual(names(await call('GET', `${RECORDS}?name=web-1.dynia.test&type=A`)), ['A web-1.dynia.test 10.0.0.1']);
    assert.deepEqual(names(await call('GET', `${RECORDS}?content=10.0.0.2`)), ['A web-2.dynia.test 10.0.0.2']);
    assert.deepEqual(names(await call('GET', `${RECORDS}?name=web-9.dynia.test`)), []);
  });

  it('paginates with page/per_page (default 100) and Cloudflare result_info', async () => {
    for (let i = 1; i <= 5; i++) await create({ type: 'A', name: `n${i}`, content: `10.0.0.${i}` });
    const all = await call('GET', RECORDS);
    assert.deepEqual(all.body.result_info, { page: 1, per_page: 100, count: 5, total_count: 5, total_pages: 1 });
    const page2 = await call('GET', `${RECORDS}?per_page=2&page=2`);
    assert.deepEqual(page2.body.result_info, { page: 2, per_page: 2, count: 2, total_count: 5, total_pages: 3 });
    assert.deepEqual(
      page2.body.result.map((r: Json) => r.name),
      ['n3.dynia.test', 'n4.dynia.test'],
    );
    const page3 = await call('GET', `${RECORDS}?per_page=2&page=3`);
    assert.deepEqual(
      page3.body.result.map((r: Json) => r.name),
      ['n5.dynia.test'],
    );
    const beyond = await call('GET', `${RECORDS}?per_page=2&page=9`);
    assert.deepEqual(beyond.body.result, []);
    assert.equal((await call('GET', `${RECORDS}?per_page=abc`)).status, 400);
  });

  it('gets, replaces (PUT), patches and deletes a record, publishing each change', async () => {
    const created = (await create({ type: 'A', name: 'app', content: '10.0.0.1', ttl: 60, comment: 'first' })).body.result;
    const path = `${RECORDS}/${created.id}`;
    assert.deepEqual((await call('GET', path)).body.result, created);

    const put = await call('PUT', path, { type: 'A', name: 'app', content: '10.0.0.2' });
    assert.equal(put.status, 200);
    assert.equal(put.body.result.content, '10.0.0.2');
    assert.equal(put.body.result.ttl, 1, 'PUT replaces the whole record');
    assert.equal(put.body.result.comment, null);
    assert.equal(put.body.result.created_on, created.created_on);

    const patched = await call('PATCH', path, { ttl: 300 });
    assert.equal(patched.body.result.content, '10.0.0.2', 'PATCH keeps what it does not name');
    assert.equal(patched.body.result.ttl, 300);
    assert.equal((await call('PATCH', path, { content: 'nope' })).body.errors[0].code, 9005);
    assert.equal((await call('PUT', path, { type: 'A', name: 'app' })).body.errors[0].code, 9005, 'PUT needs content');

    const deleted = await call('DELETE', path);
    assert.deepEqual(deleted.body, { success: true, errors: [], messages: [], result: { id: created.id } });
    const gone = await call('GET', path);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body.errors, [{ code: 81044, message: 'Record does not exist.' }]);
    assert.equal((await call('DELETE', path)).status, 404);

    assert.deepEqual(
      published.map((p) => p.records.map((r) => `${r.content}/${r.ttl}`)),
      [['10.0.0.1/60'], ['10.0.0.2/1'], ['10.0.0.2/300'], []],
    );
  });

  it('answers 7003 for a malformed record id and keeps zones apart', async () => {
    const bad = await call('GET', `${RECORDS}/123`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].code, 7003);
    const record = (await create({ type: 'A', name: 'web', content: '10.0.0.1' })).body.result;
    assert.equal((await call('GET', `/zones/${OTHER_ZONE.id}/dns_records/${record.id}`)).status, 404);
    assert.deepEqual((await call('GET', `/zones/${OTHER_ZONE.id}/dns_records`)).body.result, []);
    const other = await call('POST', `/zones/${OTHER_ZONE.id}/dns_records`, { type: 'A', name: 'web', content: '10.0.0.1' });
    assert.equal(other.body.result.name, 'web.other.test');
    assert.equal(published.at(-1)!.zone, 'other.test');
  });
});

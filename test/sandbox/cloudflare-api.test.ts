/** Cloudflare emulator: envelope, auth, token verify, accounts, zones, unknown routes, faults and request log. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCloudflareEmulator } from '../../sandbox/emulators/cloudflare/server.js';
import { emulatorCall } from './emulator-call.js';

const TOKEN = 'cf-test-token-1234567890';
const ACCOUNT_ID = '01a7362d577a6c3019a474fd6f485823';
const ZONE = { id: '023e105f4ecef8ad9ca31a8372d0c353', name: 'dynia.test' };
const OTHER_ZONES = Array.from({ length: 6 }, (_, i) => ({ id: `${i}`.padStart(32, 'a'), name: `zone-${i}.test` }));

/** Official shapes (common.yaml / zones_zone) the answers must have. */
const ENVELOPE_KEYS = ['errors', 'messages', 'result', 'success'];
const RESULT_INFO_KEYS = ['count', 'page', 'per_page', 'total_count', 'total_pages'];
const ZONE_REQUIRED_KEYS = [
  'id',
  'name',
  'development_mode',
  'owner',
  'account',
  'meta',
  'name_servers',
  'original_name_servers',
  'original_registrar',
  'original_dnshost',
  'created_on',
  'modified_on',
  'activated_on',
];

type Json = Record<string, any>;

describe('cloudflare emulator: api basics', () => {
  let url = '';
  let close: () => Promise<void>;
  const origin = () => url.replace(/\/client\/v4$/, '');

  const call = (method: string, path: string, init: { token?: string | null; body?: unknown } = {}) =>
    emulatorCall(url, method, path, { token: init.token === undefined ? TOKEN : init.token, body: init.body });

  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${origin()}/__sandbox${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });

  before(async () => {
    const emulator = await startCloudflareEmulator({
      port: 0,
      token: TOKEN,
      accountId: ACCOUNT_ID,
      zones: [ZONE, ...OTHER_ZONES],
      workersSubdomain: 'sandbox',
      dns: { publish: () => undefined },
      workers: { deploy: async () => undefined, remove: async () => undefined },
    });
    url = emulator.url;
    close = emulator.close;
  });
  after(() => close());

  it('serves under /client/v4 on the chosen port', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
  });

  it('verifies the token with the official message, without echoing it', async () => {
    const { status, body } = await call('GET', '/user/tokens/verify');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), ENVELOPE_KEYS);
    assert.equal(body.success, true);
    assert.deepEqual(body.errors, []);
    assert.deepEqual(body.messages, [{ code: 10000, message: 'This API Token is valid and active' }]);
    assert.match(body.result.id, /^[0-9a-f]{32}$/);
    assert.equal(body.result.status, 'active');
    assert.ok(!JSON.stringify(body).includes(TOKEN));
  });

  it('rejects a missing bearer token with 400 and a wrong one with 403 (code 10000)', async () => {
    const missing = await call('GET', '/zones', { token: null });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, {
      success: false,
      errors: [{ code: 10000, message: 'Authentication error' }],
      messages: [],
      result: null,
    });
    const wrong = await call('GET', '/zones', { token: 'not-the-token' });
    assert.equal(wrong.status, 403);
    assert.deepEqual(wrong.body.errors, [{ code: 10000, message: 'Authentication error' }]);
    const basic = await fetch(`${url}/zones`, { headers: { authorization: `Basic ${TOKEN}` } });
    assert.equal(basic.status, 400);
  });

  it('lists the account', async () => {
    const { status, body } = await call('GET', '/accounts');
    assert.equal(status, 200);
    assert.equal(body.result.length, 1);
    assert.equal(body.result[0].id, ACCOUNT_ID);
    assert.equal(typeof body.result[0].name, 'string');
    assert.deepEqual(Object.keys(body.result_info).sort(), RESULT_INFO_KEYS);
  });

  it('finds a zone by name with the full zone shape', async () => {
    const { status, body } = await call('GET', '/zones?name=dynia.test');
    assert.equal(status, 200);
    assert.equal(body.result.length, 1);
    const zone = body.result[0];
    for (const key of ZONE_REQUIRED_KEYS) assert.ok(key in zone, `zone.${key}`);
    assert.equal(zone.id, ZONE.id);
    assert.equal(zone.name, ZONE.name);
    assert.equal(zone.status, 'active');
    assert.equal(zone.account.id, ACCOUNT_ID);
    assert.deepEqual(body.result_info, { page: 1, per_page: 20, count: 1, total_count: 1, total_pages: 1 });
    const none = await call('GET', '/zones?name=example.com');
    assert.deepEqual(none.body.result, []);
    assert.equal(none.body.result_info.total_count, 0);
  });

  it('paginates zones (per_page clamped to 5..50 like Cloudflare)', async () => {
    const first = await call('GET', '/zones?per_page=5&page=1');
    assert.deepEqual(first.body.result_info, { page: 1, per_page: 5, count: 5, total_count: 7, total_pages: 2 });
    const second = await call('GET', '/zones?per_page=5&page=2');
    assert.deepEqual(second.body.result_info, { page: 2, per_page: 5, count: 2, total_count: 7, total_pages: 2 });
    const ids = [...first.body.result, ...second.body.result].map((z: Json) => z.id);
    assert.equal(new Set(ids).size, 7);
    const clamped = await call('GET', '/zones?per_page=1');
    assert.equal(clamped.body.result_info.per_page, 5);
    const bad = await call('GET', '/zones?page=0');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.success, false);
  });

  it('gets a zone by id, and answers 7003 for an unknown one', async () => {
    const { status, body } = await call('GET', `/zones/${ZONE.id}`);
    assert.equal(status, 200);
    assert.equal(body.result.name, 'dynia.test');
    const unknown = await call('GET', '/zones/dynia.test');
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.errors, [
      { code: 7003, message: 'Could not route to /client/v4/zones/dynia.test, perhaps your object identifier is invalid?' },
    ]);
  });

  it('answers unknown routes with 7003 + 7000 and wrong methods with 405', async () => {
    const unknown = await call('GET', '/nothing/here');
    assert.equal(unknown.status, 400);
    assert.deepEqual(
      unknown.body.errors.map((e: Json) => e.code),
      [7003, 7000],
    );
    const method = await call('DELETE', '/zones');
    assert.equal(method.status, 405);
    assert.equal(method.body.success, false);
  });

  it('rejects malformed JSON with 6007', async () => {
    const res = await fetch(`${url}/zones/${ZONE.id}/dns_records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{"type":',
    });
    assert.equal(res.status, 400);
    assert.deepEqual(((await res.json()) as Json).errors, [{ code: 6007, message: 'Malformed JSON in request body' }]);
  });

  describe('sandbox controls', () => {
    it('injects status faults by method and path prefix, each for `count` requests', async () => {
      assert.equal((await admin('POST', '/faults', { match: { method: 'GET', path: '/zones' }, count: 2, status: 503 })).status, 204);
      const first = await call('GET', `/zones/${ZONE.id}`);
      assert.equal(first.status, 503);
      assert.deepEqual(first.body, {
        success: false,
        errors: [{ code: 10002, message: 'Unexpected internal server error' }],
        messages: [],
        result: null,
      });
      assert.equal((await call('GET', '/accounts')).status, 200, 'other paths are untouched');
      assert.equal((await call('GET', '/zones')).status, 503);
      assert.equal((await call('GET', '/zones')).status, 200, 'the fault is used up');
    });

    it('gives every 429 a retry-after (default 1 s) and applies faults before auth', async () => {
      await admin('POST', '/faults', { count: 1, status: 429 });
      const limited = await call('GET', '/zones', { token: null });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '1');
      assert.equal(limited.body.errors[0].code, 971);
      await admin('POST', '/faults', { count: 1, status: 429, retryAfter: 7 });
      assert.equal((await call('GET', '/zones')).headers.get('retry-after'), '7');
    });

    it('hangs a request until the client gives up', async () => {
      await admin('POST', '/faults', { match: { path: '/user' }, count: 1, hang: true });
      await assert.rejects(
        fetch(`${url}/user/tokens/verify`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(200) }),
        /abort|timeout/i,
      );
      assert.equal((await call('GET', '/user/tokens/verify')).status, 200);
    });

    it('clears faults', async () => {
      await admin('POST', '/faults', { count: 5, status: 500 });
      assert.equal((await admin('DELETE', '/faults')).status, 204);
      assert.equal((await call('GET', '/zones')).status, 200);
    });

    it('rejects malformed fault specs', async () => {
      assert.equal((await admin('POST', '/faults', { count: 0, status: 500 })).status, 400);
      assert.equal((await admin('POST', '/faults', { count: 1 })).status, 400);
      assert.equal((await admin('POST', '/faults', { count: 1, status: 500, hang: true })).status, 400);
    });

    it('logs method, path (after /client/v4) and status, never tokens or bodies', async () => {
      assert.equal((await admin('DELETE', '/requests')).status, 204);
      await call('GET', '/zones?name=dynia.test');
      await call('POST', `/zones/${ZONE.id}/dns_records`, { body: { type: 'A', name: 'log', content: '10.0.0.1' } });
      await call('GET', '/zones', { token: 'wrong-secret-value' });
      const log = (await (await admin('GET', '/requests')).json()) as Json[];
      assert.deepEqual(log, [
        { method: 'GET', path: '/zones?name=dynia.test', status: 200 },
        { method: 'POST', path: `/zones/${ZONE.id}/dns_records`, status: 200 },
        { method: 'GET', path: '/zones', status: 403 },
      ]);
      const text = JSON.stringify(log);
      assert.ok(!text.includes(TOKEN) && !text.includes('wrong-secret-value') && !text.includes('10.0.0.1'));
    });
  });
});

/**
 * The DigitalOcean API v2 emulator over HTTP, against the official contract's shapes (encoded below),
 * with an in-memory HostDriver.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import type { HostDriver } from '../../sandbox/emulators/ports.js';
import { MemoryHostDriver } from '../../sandbox/emulators/digitalocean/memory-hosts.js';
import { startDigitalOceanEmulator, type RunningDigitalOceanEmulator } from '../../sandbox/emulators/digitalocean/server.js';
import { emulatorCall, type Reply } from './emulator-call.js';

const TOKEN = 'dop_v1_test_token_0123456789abcdef';

// ---- contract shapes (from the official OpenAPI subset: required fields and their JSON types) ----
type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';
type Shape = Record<string, Kind | Kind[]>;

const ERROR: Shape = { id: 'string', message: 'string' };
const ACCOUNT: Shape = {
  droplet_limit: 'number',
  floating_ip_limit: 'number',
  email: 'string',
  uuid: 'string',
  email_verified: 'boolean',
  status: 'string',
  status_message: 'string',
};
const SSH_KEY: Shape = { id: 'number', fingerprint: 'string', public_key: 'string', name: 'string' };
const REGION: Shape = { name: 'string', slug: 'string', features: 'array', available: 'boolean', sizes: 'array' };
const SIZE: Shape = {
  slug: 'string',
  memory: 'number',
  vcpus: 'number',
  disk: 'number',
  transfer: 'number',
  price_monthly: 'number',
  price_hourly: 'number',
  regions: 'array',
  available: 'boolean',
  description: 'string',
};
const IMAGE: Shape = {
  id: 'number',
  name: 'string',
  type: 'string',
  distribution: 'string',
  slug: ['string', 'null'],
  public: 'boolean',
  regions: 'array',
  created_at: 'string',
  min_disk_size: ['number', 'null'],
  size_gigabytes: ['number', 'null'],
  description: 'string',
  tags: ['array', 'null'],
  status: 'string',
};
const DROPLET: Shape = {
  id: 'number',
  name: 'string',
  memory: 'number',
  vcpus: 'number',
  disk: 'number',
  locked: 'boolean',
  status: 'string',
  created_at: 'string',
  features: 'array',
  backup_ids: 'array',
  next_backup_window: ['object', 'null'],
  snapshot_ids: 'array',
  image: 'object',
  volume_ids: 'array',
  size: 'object',
  size_slug: 'string',
  networks: 'object',
  region: 'object',
  tags: 'array',
  vpc_uuid: 'string',
  kernel: ['object', 'null'],
  disk_info: 'array',
};
const ACTION: Shape = {
  id: 'number',
  status: 'string',
  type: 'string',
  started_at: 'string',
  completed_at: ['string', 'null'],
  resource_id: ['number', 'null'],
  resource_type: 'string',
  region: 'object',
  region_slug: ['string', 'null'],
};
const NETWORK_V4: Shape = { ip_address: 'string', netmask: 'string', gateway: 'string', type: 'string' };
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

const kindOf = (value: unknown): Kind => (value === null ? 'null' : Array.isArray(value) ? 'array' : (typeof value as Kind));

function assertShape(value: unknown, shape: Shape, label: string): void {
  assert.equal(kindOf(value), 'object', `${label} is an object`);
  for (const [field, kinds] of Object.entries(shape)) {
    const actual = kindOf((value as Record<string, unknown>)[field]);
    assert.ok([kinds].flat().includes(actual), `${label}.${field}: expected ${String(kinds)}, got ${actual}`);
  }
}

function assertDroplet(droplet: any): void {
  assertShape(droplet, DROPLET, 'droplet');
  assertShape(droplet.image, IMAGE, 'droplet.image');
  assertShape(droplet.size, SIZE, 'droplet.size');
  assertShape(droplet.region, REGION, 'droplet.region');
  assert.ok(['new', 'active', 'off', 'archive'].includes(droplet.status));
  assert.equal(droplet.memory % 8, 0);
  assert.equal(droplet.size_slug, droplet.size.slug);
  assert.match(droplet.created_at, ISO_SECONDS);
  assert.ok(Array.isArray(droplet.networks.v4) && Array.isArray(droplet.networks.v6));
  for (const net of droplet.networks.v4) assertShape(net, NETWORK_V4, 'network_v4');
}

function assertAction(action: any): void {
  assertShape(action, ACTION, 'action');
  assert.ok(['in-progress', 'completed', 'errored'].includes(action.status));
  assertShape(action.region, REGION, 'action.region');
}

// ---- HTTP helpers ----
const call = (
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string; token?: string | null; signal?: AbortSignal } = {},
): Promise<Reply> => emulatorCall(base, method, path, { ...opts, token: opts.token === undefined ? TOKEN : opts.token });

function assertError(reply: Reply, status: number, id: string, message?: string): void {
  assert.equal(reply.status, status, reply.text);
  assertShape(reply.body, ERROR, 'error');
  assert.equal(reply.body.id, id);
  if (message !== undefined) assert.equal(reply.body.message, message);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
}

function assertRateLimitHeaders(reply: Reply): void {
  assert.equal(reply.headers.get('ratelimit-limit'), '5000');
  assert.match(reply.headers.get('ratelimit-remaining') ?? '', /^\d+$/);
  const reset = Number(reply.headers.get('ratelimit-reset'));
  const now = Date.now() / 1000;
  assert.ok(reset > now - 1 && reset <= now + 3601, `ratelimit-reset ${reset} is epoch seconds within the hour`);
}

// ---- keys generated by ssh-keygen, fingerprints as ssh-keygen prints them ----
let keyDir: string;
const generatedKeys: Array<{ publicKey: string; md5: string }> = [];

function generateKey(type: 'ed25519' | 'rsa', name: string): { publicKey: string; md5: string } {
  const file = join(keyDir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', name, '-f', file]);
  const listing = execFileSync('ssh-keygen', ['-E', 'md5', '-lf', `${file}.pub`], { encoding: 'utf8' });
  const md5 = /MD5:([0-9a-f:]{47})/.exec(listing)?.[1];
  assert.ok(md5, `ssh-keygen listed a fingerprint: ${listing}`);
  return { publicKey: readFileSync(`${file}.pub`, 'utf8').trim(), md5 };
}

before(() => {
  keyDir = mkdtempSync(join(tmpdir(), 'dynia-do-keys-'));
  generatedKeys.push(generateKey('ed25519', 'initial'), generateKey('rsa', 'uploaded'), generateKey('ed25519', 'third'));
});
after(() => rmSync(keyDir, { recursive: true, force: true }));

describe('DigitalOcean emulator', () => {
  let hosts: MemoryHostDriver;
  let emulator: RunningDigitalOceanEmulator;
  let url: string;
  const api = (method: string, path: string, opts?: Parameters<typeof call>[3]) => call(url, method, path, opts);
  const createDroplet = (body: Record<string, unknown>) =>
    api('POST', '/v2/droplets', { body: { size: 's-1vcpu-1gb', image: 'ubuntu-24-04-x64', region: 'nyc3', ...body } });

  beforeEach(async () => {
    hosts = new MemoryHostDriver();
    emulator = await startDigitalOceanEmulator({
      port: 0,
      token: TOKEN,
      hosts,
      sshKeys: [{ name: 'initial', publicKey: generatedKeys[0]!.publicKey }],
    });
    url = emulator.url;
  });
  afterEach(() => emulator.close());

  test('listens on a real port on loopback when asked for port 0', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.doesNotMatch(url, /:0$/);
  });

  describe('auth, errors and rate-limit headers', () => {
    test('missing or wrong bearer token → 401 Unauthorized, with rate-limit headers', async () => {
      for (const token of [null, 'wrong-token', `${TOKEN}x`]) {
        const reply = await api('GET', '/v2/account', { token });
        assertError(reply, 401, 'Unauthorized', 'Unable to authenticate you');
        assertRateLimitHeaders(reply);
        assert.ok(!reply.text.includes(TOKEN));
      }
      const nonBearer = await fetch(`${url}/v2/account`, { headers: { authorization: `Basic ${TOKEN}` } });
      assert.equal(nonBearer.status, 401);
    });

    test('every answer carries ratelimit-*; remaining counts down per request', async () => {
      const first = await api('GET', '/v2/account');
      const second = await api('GET', '/v2/account');
      assertRateLimitHeaders(first);
      assertRateLimitHeaders(second);
      assert.equal(Number(first.headers.get('ratelimit-remaining')), 4999);
      assert.equal(Number(second.headers.get('ratelimit-remaining')), 4998);
      assert.equal(first.headers.get('ratelimit-reset'), second.headers.get('ratelimit-reset'));
    });

    test('unknown routes → 404 not_found envelope; bad JSON → 400 bad_request', async () => {
      const missing = await api('GET', '/v2/nothing-here');
      assertError(missing, 404, 'not_found', 'The resource you were accessing could not be found.');
      assertRateLimitHeaders(missing);
      assertError(await api('PATCH', '/v2/droplets'), 404, 'not_found');
      assertError(await api('GET', '/elsewhere', { token: null }), 404, 'not_found');
      assertError(await api('POST', '/v2/droplets', { rawBody: '{"name": ' }), 400, 'bad_request');
      assertError(await api('POST', '/v2/account/keys', { rawBody: 'nope' }), 400, 'bad_request');
    });
  });

  test('GET /v2/account', async () => {
    const reply = await api('GET', '/v2/account');
    assert.equal(reply.status, 200);
    assertShape(reply.body.account, ACCOUNT, 'account');
    assert.ok(['active', 'warning', 'locked'].includes(reply.body.account.status));
  });

  test('GET /v2/regions and /v2/sizes are paginated lists of the contract shapes', async () => {
    const regions = await api('GET', '/v2/regions');
    assert.equal(regions.status, 200);
    regions.body.regions.forEach((r: unknown) => assertShape(r, REGION, 'region'));
    assert.equal(regions.body.meta.total, regions.body.regions.length);
    const sizes = await api('GET', '/v2/sizes?per_page=1');
    assert.equal(sizes.body.sizes.length, 1);
    assertShape(sizes.body.sizes[0], SIZE, 'size');
    assert.equal(sizes.body.links.pages.next, `${url}/v2/sizes?page=2&per_page=1`);
  });

  describe('SSH keys', () => {
    test('initial keys are listed with the MD5 fingerprint ssh-keygen prints', async () => {
      const reply = await api('GET', '/v2/account/keys');
      assert.equal(reply.status, 200);
      assert.equal(reply.body.ssh_keys.length, 1);
      assertShape(reply.body.ssh_keys[0], SSH_KEY, 'ssh_key');
      assert.equal(reply.body.ssh_keys[0].fingerprint, generatedKeys[0]!.md5);
      assert.equal(reply.body.ssh_keys[0].public_key, generatedKeys[0]!.publicKey);
      assert.deepEqual(reply.body.links, {});
      assert.deepEqual(reply.body.meta, { total: 1 });
    });

    test('create (201), get by id and by fingerprint, delete (204), then 404', async () => {
      const uploaded = generatedKeys[1]!;
      const created = await api('POST', '/v2/account/keys', { body: { name: 'laptop', public_key: uploaded.publicKey } });
      assert.equal(created.status, 201);
      assertShape(created.body.ssh_key, SSH_KEY, 'ssh_key');
      assert.equal(created.body.ssh_key.fingerprint, uploaded.md5);
      assertRateLimitHeaders(created);
      const { id, fingerprint } = created.body.ssh_key;

      for (const identifier of [id, fingerprint]) {
        const got = await api('GET', `/v2/account/keys/${identifier}`);
        assert.equal(got.status, 200);
        assert.deepEqual(got.body.ssh_key, created.body.ssh_key);
      }
      const deleted = await api('DELETE', `/v2/account/keys/${fingerprint}`);
      assert.equal(deleted.status, 204);
      assert.equal(deleted.text, '');
      assertRateLimitHeaders(deleted);
      assertError(await api('GET', `/v2/account/keys/${id}`), 404, 'not_found');
      assertError(await api('DELETE', `/v2/account/keys/${id}`), 404, 'not_found');
    });

    test('duplicate, malformed or nameless keys → 422', async () => {
      const initial = generatedKeys[0]!.publicKey;
      assertError(
        await api('POST', '/v2/account/keys', { body: { name: 'again', public_key: initial } }),
        422,
        'unprocessable_entity',
        'SSH Key is already in use on your account',
      );
      assertError(
        await api('POST', '/v2/account/keys', { body: { name: 'bad', public_key: 'ssh-rsa nope!' } }),
        422,
        'unprocessable_entity',
      );
      assertError(
        await api('POST', '/v2/account/keys', { body: { public_key: generatedKeys[2]!.publicKey } }),
        422,
        'unprocessable_entity',
      );
    });
  });

  describe('droplets', () => {
    test('create → 202 new droplet with empty v4 and a create action; host started with keys, user data and tags', async () => {
      const [initial, , third] = generatedKeys;
      const key3 = (await api('POST', '/v2/account/keys', { body: { name: 'third', public_key: third!.publicKey } })).body.ssh_key;
      const initialId = (await api('GET', '/v2/account/keys')).body.ssh_keys[0].id;
      const reply = await createDroplet({
        name: 'web-1.dynia.test',
        ssh_keys: [initialId, key3.fingerprint],
        tags: ['dynia', 'role:web'],
        user_data: '#cloud-config\n',
      });
      assert.equal(reply.status, 202, reply.text);
      assertRateLimitHeaders(reply);
      const { droplet, links } = reply.body;
      assertDroplet(droplet);
      assert.equal(droplet.name, 'web-1.dynia.test');
      assert.equal(droplet.status, 'new');
      assert.deepEqual(droplet.networks, { v4: [], v6: [] });
      assert.deepEqual(droplet.tags, ['dynia', 'role:web']);
      assert.equal(droplet.size_slug, 's-1vcpu-1gb');
      assert.equal(droplet.region.slug, 'nyc3');
      assert.equal(droplet.image.slug, 'ubuntu-24-04-x64');
      assert.equal(links.actions.length, 1);
      assert.equal(links.actions[0].rel, 'create');
      assert.equal(links.actions[0].href, `${url}/v2/actions/${links.actions[0].id}`);

      const host = hosts.hosts.get(droplet.id)!;
      assert.deepEqual(host.authorizedKeys, [initial!.publicKey, third!.publicKey]);
      assert.equal(host.userData, '#cloud-config\n');
      assert.deepEqual(host.tags, ['dynia', 'role:web']);
      assert.equal(host.name, 'web-1.dynia.test');
    });

    test('becomes active with its public IPv4 only once the host is ready; the action completes with it', async () => {
      const { droplet, links } = (await createDroplet({ name: 'node-a' })).body;
      const actionPath = `/v2/actions/${links.actions[0].id}`;

      let got = await api('GET', `/v2/droplets/${droplet.id}`);
      assert.equal(got.status, 200);
      assert.equal(got.body.droplet.status, 'new');
      assert.deepEqual(got.body.droplet.networks.v4, []);
      let action = (await api('GET', actionPath)).body.action;
      assertAction(action);
      assert.deepEqual(
        [action.status, action.type, action.resource_id, action.resource_type, action.completed_at],
        ['in-progress', 'create', droplet.id, 'droplet', null],
      );

      hosts.markReady(droplet.id);
      got = await api('GET', `/v2/droplets/${droplet.id}`);
      assertDroplet(got.body.droplet);
      assert.equal(got.body.droplet.status, 'active');
      const ip = hosts.hosts.get(droplet.id)!.ip;
      assert.deepEqual(got.body.droplet.networks.v4, [
        { ip_address: ip, netmask: '255.255.255.0', gateway: ip.replace(/\.\d+$/, '.1'), type: 'public' },
      ]);
      action = (await api('GET', actionPath)).body.action;
      assert.equal(action.status, 'completed');
      assert.match(action.completed_at, ISO_SECONDS);

      // Readiness is cached: an active droplet's host is not asked again.
      const checks = hosts.readyChecks;
      await api('GET', '/v2/droplets');
      await api('GET', `/v2/droplets/${droplet.id}`);
      assert.equal(hosts.readyChecks, checks);
    });

    test('multi-create with `names` answers `droplets` and one action each', async () => {
      const reply = await createDroplet({ names: ['m-1', 'm-2'] });
      assert.equal(reply.status, 202);
      assert.deepEqual(
        reply.body.droplets.map((d: any) => d.name),
        ['m-1', 'm-2'],
      );
      reply.body.droplets.forEach(assertDroplet);
      assert.equal(reply.body.links.actions.length, 2);
    });

    test('invalid requests → 422 unprocessable_entity and no host is started', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ name: 'bad_name' }, 'Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)'],
        [{ name: 'n', size: undefined }, 'You specified an invalid size for Droplet creation.'],
        [{ name: 'n', image: 'windows-95' }, 'You specified an invalid image for Droplet creation.'],
        [{ name: 'n', ssh_keys: [999] }, '999 are invalid key identifiers for Droplet creation.'],
        [
          { name: 'n', ssh_keys: ['00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff'] },
          '00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff are invalid key identifiers for Droplet creation.',
        ],
        [{ name: 'n', region: 'mars1' }, 'You specified an invalid region for Droplet creation.'],
      ];
      for (const [body, message] of cases) assertError(await createDroplet(body), 422, 'unprocessable_entity', message);
      assertError(await api('POST', '/v2/droplets', { body: { name: 'n' } }), 422, 'unprocessable_entity');
      assert.equal(hosts.hosts.size, 0);
    });

    test('a failing host driver → 500 server_error and no droplet', async () => {
      await emulator.close();
      const failing: HostDriver = {
        create: async () => Promise.reject(new Error('docker is down')),
        isReady: async () => false,
        destroy: async () => undefined,
        list: async () => [],
      };
      emulator = await startDigitalOceanEmulator({ port: 0, token: TOKEN, hosts: failing, sshKeys: [] });
      url = emulator.url;
      assertError(await createDroplet({ name: 'n' }), 500, 'server_error');
      assert.equal((await api('GET', '/v2/droplets')).body.meta.total, 0);
    });

    test('GET/DELETE unknown or malformed ids → 404 with the official message', async () => {
      for (const path of ['/v2/droplets/12345', '/v2/droplets/abc', '/v2/droplets/%E0', '/v2/actions/777', '/v2/actions/x']) {
        assertError(await api('GET', path), 404, 'not_found', 'The resource you were accessing could not be found.');
      }
      assertError(await api('DELETE', '/v2/droplets/12345'), 404, 'not_found');
    });

    test('list: pagination links, meta.total, per_page cap, tag and name filters', async () => {
      for (const [i, tags] of [['dynia'], ['dynia'], ['other'], ['dynia'], []].entries()) {
        assert.equal((await createDroplet({ name: `n-${i}`, tags })).status, 202);
      }
      const all = await api('GET', '/v2/droplets');
      assert.equal(all.status, 200);
      assert.equal(all.body.droplets.length, 5);
      all.body.droplets.forEach(assertDroplet);
      assert.deepEqual(all.body.links, {});
      assert.deepEqual(all.body.meta, { total: 5 });

      const first = await api('GET', '/v2/droplets?per_page=2');
      assert.deepEqual(
        first.body.droplets.map((d: any) => d.name),
        ['n-0', 'n-1'],
      );
      assert.deepEqual(first.body.links.pages, {
        next: `${url}/v2/droplets?page=2&per_page=2`,
        last: `${url}/v2/droplets?page=3&per_page=2`,
      });
      assert.equal(first.body.meta.total, 5);
      const last = await api('GET', '/v2/droplets?page=3&per_page=2');
      assert.deepEqual(
        last.body.droplets.map((d: any) => d.name),
        ['n-4'],
      );
      assert.deepEqual(last.body.links.pages, {
        first: `${url}/v2/droplets?page=1&per_page=2`,
        prev: `${url}/v2/droplets?page=2&per_page=2`,
      });
      assert.equal((await api('GET', '/v2/droplets?per_page=1000')).body.droplets.length, 5);

      const tagged = await api('GET', '/v2/droplets?tag_name=dynia&per_page=2');
      assert.deepEqual(
        tagged.body.droplets.map((d: any) => d.name),
        ['n-0', 'n-1'],
      );
      assert.equal(tagged.body.meta.total, 3);
      assert.equal(tagged.body.links.pages.next, `${url}/v2/droplets?page=2&tag_name=dynia&per_page=2`);
      const named = await api('GET', '/v2/droplets?name=N-2');
      assert.deepEqual(
        named.body.droplets.map((d: any) => d.name),
        ['n-2'],
      );
      assertError(await api('GET', '/v2/droplets?tag_name=dynia&name=n-2'), 422, 'unprocessable_entity');
    });

    test('DELETE /v2/droplets/{id} → 204 (json content-type, empty body) and destroys the host', async () => {
      const { droplet } = (await createDroplet({ name: 'gone' })).body;
      const reply = await api('DELETE', `/v2/droplets/${droplet.id}`);
      assert.equal(reply.status, 204);
      assert.equal(reply.text, '');
      assertRateLimitHeaders(reply);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(hosts.hosts.has(droplet.id), false);
      assertError(await api('GET', `/v2/droplets/${droplet.id}`), 404, 'not_found');
    });

    test('DELETE /v2/droplets?tag_name= → 204, removes exactly the tagged droplets', async () => {
      await createDroplet({ name: 'a', tags: ['doomed'] });
      await createDroplet({ name: 'b', tags: ['doomed', 'x'] });
      await createDroplet({ name: 'c', tags: ['kept'] });
      const reply = await api('DELETE', '/v2/droplets?tag_name=doomed');
      assert.equal(reply.status, 204);
      assert.equal(reply.text, '');
      const left = await api('GET', '/v2/droplets');
      assert.deepEqual(
        left.body.droplets.map((d: any) => d.name),
        ['c'],
      );
      assert.deepEqual(
        [...hosts.hosts.values()].map((h) => h.name),
        ['c'],
      );
      assertError(await api('DELETE', '/v2/droplets'), 400, 'bad_request');
    });

    test('droplets whose hosts exist at start are adopted (restart), new ids stay above them', async () => {
      const { droplet } = (await createDroplet({ name: 'survivor', tags: ['dynia'] })).body;
      hosts.markReady(droplet.id);
      await emulator.close();
      emulator = await startDigitalOceanEmulator({ port: 0, token: TOKEN, hosts, sshKeys: [] });
      url = emulator.url;
      const listed = await api('GET', '/v2/droplets?tag_name=dynia');
      assert.equal(listed.body.droplets.length, 1);
      const adopted = listed.body.droplets[0];
      assertDroplet(adopted);
      assert.deepEqual(
        [adopted.id, adopted.name, adopted.status, adopted.networks.v4[0].ip_address],
        [droplet.id, 'survivor', 'active', hosts.hosts.get(droplet.id)!.ip],
      );
      const next = (await createDroplet({ name: 'newer' })).body.droplet;
      assert.ok(next.id > droplet.id);
    });
  });

  describe('fault injection and request log (/__sandbox)', () => {
    const admin = (method: string, path: string, body?: unknown) =>
      call(url, method, `/__sandbox${path}`, { token: null, ...(body === undefined ? {} : { body }) });

    test('429 with retry-after for the next `count` matching requests, then normal answers', async () => {
      assert.equal(
        (await admin('POST', '/faults', { match: { method: 'GET', path: '/v2/droplets' }, count: 2, status: 429, retryAfter: 7 })).status,
        204,
      );
      assert.equal((await api('GET', '/v2/account')).status, 200, 'other paths are untouched');
      for (let i = 0; i < 2; i += 1) {
        const limited = await api('GET', '/v2/droplets?page=1');
        assertError(limited, 429, 'too_many_requests');
        assert.equal(limited.headers.get('retry-after'), '7');
        assert.equal(limited.headers.get('ratelimit-remaining'), '0');
        assertRateLimitHeaders(limited);
      }
      assert.equal((await api('GET', '/v2/droplets')).status, 200);
    });

    test('500 server_error; DELETE /__sandbox/faults clears queued faults', async () => {
      await admin('POST', '/faults', { match: { method: 'POST' }, count: 1, status: 500 });
      assertError(await createDroplet({ name: 'x' }), 500, 'server_error');
      assert.equal(hosts.hosts.size, 0);
      await admin('POST', '/faults', { count: 3, status: 500 });
      assert.equal((await admin('DELETE', '/faults')).status, 204);
      assert.equal((await api('GET', '/v2/account')).status, 200);
    });

    test('hang: no answer until the client gives up; the emulator keeps serving and still closes', async () => {
      await admin('POST', '/faults', { match: { path: '/v2/account' }, count: 1, hang: true });
      const started = Date.now();
      await assert.rejects(
        api('GET', '/v2/account', { signal: AbortSignal.timeout(300) }),
        (error: Error) => error.name === 'TimeoutError',
      );
      assert.ok(Date.now() - started >= 250);
      assert.equal((await api('GET', '/v2/account')).status, 200);
      // A hang still open when the emulator closes must not block close().
      await admin('POST', '/faults', { count: 1, hang: true });
      const pending = api('GET', '/v2/droplets').catch((error: Error) => error);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await emulator.close();
      assert.ok((await pending) instanceof Error);
      emulator = await startDigitalOceanEmulator({ port: 0, token: TOKEN, hosts, sshKeys: [] });
    });

    test('request log: method, path and status only (never headers or bodies); clearable', async () => {
      await api('GET', '/v2/account');
      await api('GET', '/v2/droplets?tag_name=x', { token: 'bad' });
      await api('POST', '/v2/account/keys', { body: { name: 'k', public_key: generatedKeys[2]!.publicKey } });
      const log = await admin('GET', '/requests');
      assert.equal(log.status, 200);
      assert.deepEqual(log.body, [
        { method: 'GET', path: '/v2/account', status: 200 },
        { method: 'GET', path: '/v2/droplets?tag_name=x', status: 401 },
        { method: 'POST', path: '/v2/account/keys', status: 201 },
      ]);
      assert.ok(!log.text.includes(TOKEN) && !log.text.includes('ssh-'));
      assert.equal((await admin('DELETE', '/requests')).status, 204);
      assert.deepEqual((await admin('GET', '/requests')).body, []);
    });

    test('invalid fault specs → 400; unknown admin routes → 404', async () => {
      assertError(await admin('POST', '/faults', { count: 0, status: 500 }), 400, 'bad_request');
      assertError(await admin('POST', '/faults', { count: 1 }), 400, 'bad_request');
      assertError(await admin('GET', '/nothing'), 404, 'not_found');
    });
  });
});

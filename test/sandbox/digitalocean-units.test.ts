/** Pure parts of the DigitalOcean emulator: fingerprints, pagination, rate limit, faults, create validation. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../sandbox/emulators/digitalocean/api-error.js';
import { parseCreateDropletRequest } from '../../sandbox/emulators/digitalocean/create-request.js';
import { ControlRequestError, FaultQueue, parseFaultSpec } from '../../sandbox/emulators/controls/faults.js';
import { md5Fingerprint } from '../../sandbox/emulators/digitalocean/fingerprint.js';
import { pageRequestFrom, pageUrl, paginate } from '../../sandbox/emulators/digitalocean/pagination.js';
import { RateLimiter } from '../../sandbox/emulators/digitalocean/rate-limit.js';
import { SshKeyStore } from '../../sandbox/emulators/digitalocean/ssh-key-store.js';

// Generated with `ssh-keygen -t ed25519 -C fixture`; `ssh-keygen -E md5 -lf` prints MD5:e5:84:d6:4e:...
const FIXTURE_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKcuN1kBvFi2lTbCWBTy23mQASasD82Mn2i+YZHN9Am6 fixture';
const FIXTURE_FINGERPRINT = 'e5:84:d6:4e:c3:4b:ab:ae:76:db:6c:cb:e5:76:fe:42';

const apiError = (status: number, message?: string | RegExp) => (error: unknown) => {
  assert.ok(error instanceof ApiError, `expected ApiError, got ${String(error)}`);
  assert.equal(error.status, status);
  if (typeof message === 'string') assert.equal(error.message, message);
  if (message instanceof RegExp) assert.match(error.message, message);
  return true;
};

describe('md5Fingerprint', () => {
  test('matches ssh-keygen -E md5 for a known key, with or without comment', () => {
    assert.equal(md5Fingerprint(FIXTURE_KEY), FIXTURE_FINGERPRINT);
    assert.equal(md5Fingerprint(FIXTURE_KEY.replace(' fixture', '')), FIXTURE_FINGERPRINT);
  });

  test('rejects malformed keys and blobs whose type does not match', () => {
    assert.throws(() => md5Fingerprint('not a key'), apiError(422, /format `type key \[comment\]`/));
    assert.throws(() => md5Fingerprint('ssh-ed25519'), apiError(422));
    assert.throws(() => md5Fingerprint(FIXTURE_KEY.replace('ssh-ed25519', 'ssh-rsa')), apiError(422, /Fingerprint could not be generated/));
  });
});

describe('pagination', () => {
  const items = [1, 2, 3, 4, 5];
  const url = (page: number) => `p${page}`;

  test('page request defaults, caps per_page at 200 and ignores junk', () => {
    assert.deepEqual(pageRequestFrom(new URLSearchParams('')), { page: 1, perPage: 20 });
    assert.deepEqual(pageRequestFrom(new URLSearchParams('page=3&per_page=500')), { page: 3, perPage: 200 });
    assert.deepEqual(pageRequestFrom(new URLSearchParams('page=0&per_page=x')), { page: 1, perPage: 20 });
  });

  test('links: next/last on the first page, all four in the middle, first/prev on the last', () => {
    assert.deepEqual(paginate(items, { page: 1, perPage: 2 }, url), {
      items: [1, 2],
      links: { pages: { next: 'p2', last: 'p3' } },
      meta: { total: 5 },
    });
    assert.deepEqual(paginate(items, { page: 2, perPage: 2 }, url).links, { pages: { first: 'p1', prev: 'p1', next: 'p3', last: 'p3' } });
    assert.deepEqual(paginate(items, { page: 3, perPage: 2 }, url), {
      items: [5],
      links: { pages: { first: 'p1', prev: 'p2' } },
      meta: { total: 5 },
    });
  });

  test('a single page has empty links; a page past the end is empty', () => {
    assert.deepEqual(paginate(items, { page: 1, perPage: 20 }, url), { items, links: {}, meta: { total: 5 } });
    assert.deepEqual(paginate([], { page: 1, perPage: 20 }, url), { items: [], links: {}, meta: { total: 0 } });
    assert.deepEqual(paginate(items, { page: 9, perPage: 2 }, url), {
      items: [],
      links: { pages: { first: 'p1', prev: 'p3' } },
      meta: { total: 5 },
    });
  });

  test('page URLs keep the other query parameters', () => {
    assert.equal(
      pageUrl('http://h:1', '/v2/droplets', new URLSearchParams('tag_name=web&page=1&per_page=2'), 2),
      'http://h:1/v2/droplets?page=2&tag_name=web&per_page=2',
    );
  });
});

describe('RateLimiter', () => {
  test('counts down within the hour, refuses when spent, refills after reset', () => {
    let now = 1_000;
    const limiter = new RateLimiter(2, () => now);
    assert.deepEqual(limiter.take(), { limit: 2, remaining: 1, reset: 4_600, allowed: true });
    assert.deepEqual(limiter.take(), { limit: 2, remaining: 0, reset: 4_600, allowed: true });
    assert.equal(limiter.take().allowed, false);
    assert.deepEqual(limiter.state(), { limit: 2, remaining: 0, reset: 4_600 });
    now = 4_600;
    assert.deepEqual(limiter.take(), { limit: 2, remaining: 1, reset: 8_200, allowed: true });
  });
});

describe('faults', () => {
  test('a fault applies to the next `count` matching requests only, oldest first', () => {
    const queue = new FaultQueue();
    queue.add(parseFaultSpec({ match: { method: 'post', path: '/v2/droplets' }, count: 2, status: 500 }));
    queue.add(parseFaultSpec({ count: 1, status: 429, retryAfter: 3 }));
    assert.deepEqual(queue.take('POST', '/v2/droplets'), { kind: 'status', status: 500 });
    assert.deepEqual(queue.take('GET', '/v2/droplets'), { kind: 'status', status: 429, retryAfter: 3 });
    assert.equal(queue.take('GET', '/v2/droplets'), undefined);
    assert.deepEqual(queue.take('POST', '/v2/droplets?x=1'), { kind: 'status', status: 500 });
    assert.equal(queue.take('POST', '/v2/droplets'), undefined);
  });

  test('hang faults; clear empties the queue', () => {
    const queue = new FaultQueue();
    queue.add(parseFaultSpec({ count: 5, hang: true }));
    assert.deepEqual(queue.take('GET', '/v2/account'), { kind: 'hang' });
    queue.clear();
    assert.equal(queue.take('GET', '/v2/account'), undefined);
  });

  test('invalid specs are refused (the control handler answers them 400)', () => {
    for (const spec of [
      null,
      { count: 0, status: 500 },
      { count: 1 },
      { count: 1, status: 200 },
      { count: 1, hang: true, status: 500 },
      { count: 1, status: 429, retryAfter: -1 },
      { count: 1, status: 500, match: { path: 5 } },
    ]) {
      assert.throws(() => parseFaultSpec(spec), ControlRequestError, JSON.stringify(spec));
    }
  });
});

describe('parseCreateDropletRequest', () => {
  const keys = new SshKeyStore();
  const key = keys.add('fixture', FIXTURE_KEY);
  const find = (identifier: string | number) => keys.find(identifier);
  const base = { name: 'web-1.example.com', size: 's-1vcpu-1gb', image: 'ubuntu-24-04-x64' };

  test('a full single request', () => {
    const parsed = parseCreateDropletRequest(
      {
        ...base,
        region: 'fra1',
        ssh_keys: [key.id, FIXTURE_FINGERPRINT],
        tags: ['dynia', 'dynia', 'env:prod'],
        user_data: '#cloud-config\n',
        monitoring: true,
      },
      find,
    );
    assert.deepEqual(parsed.names, ['web-1.example.com']);
    assert.equal(parsed.multi, false);
    assert.equal(parsed.size.slug, 's-1vcpu-1gb');
    assert.equal(parsed.region.slug, 'fra1');
    assert.equal(parsed.image.slug, 'ubuntu-24-04-x64');
    assert.deepEqual(parsed.keys, [key]);
    assert.deepEqual(parsed.tags, ['dynia', 'env:prod']);
    assert.equal(parsed.userData, '#cloud-config\n');
    assert.deepEqual(parsed.features, ['monitoring', 'droplet_agent', 'private_networking']);
  });

  test('defaults: region nyc3, no keys, no tags; image by id and region by prefix', () => {
    const parsed = parseCreateDropletRequest({ ...base, image: 160232537, region: 'ams' }, find);
    assert.equal(parsed.image.slug, 'ubuntu-24-04-x64');
    assert.equal(parsed.region.slug, 'ams3');
    assert.deepEqual([parsed.keys, parsed.tags, parsed.userData], [[], [], undefined]);
    assert.equal(parseCreateDropletRequest(base, find).region.slug, 'nyc3');
  });

  test('multi create with names', () => {
    const parsed = parseCreateDropletRequest({ ...base, name: undefined, names: ['a1', 'b2'] }, find);
    assert.deepEqual([parsed.names, parsed.multi], [['a1', 'b2'], true]);
  });

  test('422 messages of the real API', () => {
    const hostname = 'Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)';
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, name: 'under_score' }, hostname],
      [{ ...base, name: 'trailing-' }, hostname],
      [{ ...base, name: 'x'.repeat(256) }, hostname],
      [{ ...base, name: undefined }, 'Name is required.'],
      [{ ...base, size: undefined }, 'You specified an invalid size for Droplet creation.'],
      [{ ...base, size: 'huge' }, 'You specified an invalid size for Droplet creation.'],
      [{ ...base, image: undefined }, 'You specified an invalid image for Droplet creation.'],
      [{ ...base, region: 'mars1' }, 'You specified an invalid region for Droplet creation.'],
      [{ ...base, ssh_keys: [key.id, 12, 'aa:bb'] }, '12, aa:bb are invalid key identifiers for Droplet creation.'],
    ];
    for (const [body, message] of cases)
      assert.throws(() => parseCreateDropletRequest(body, find), apiError(422, message), JSON.stringify(body).slice(0, 80));
    assert.throws(() => parseCreateDropletRequest({ ...base, tags: ['no spaces'] }, find), apiError(422));
    assert.throws(() => parseCreateDropletRequest({ ...base, user_data: 'x'.repeat(64 * 1024 + 1) }, find), apiError(422));
    assert.throws(() => parseCreateDropletRequest({ ...base, names: Array.from({ length: 11 }, (_, i) => `n${i}`) }, find), apiError(422));
    assert.throws(() => parseCreateDropletRequest([base], find), apiError(400));
  });
});

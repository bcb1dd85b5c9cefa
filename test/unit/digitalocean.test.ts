import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import type { CloudError } from '../../src/cloud/cloud-error.js';
import { DigitalOceanClient, publicIpv4 } from '../../src/cloud/digitalocean.js';

const TOKEN = 'dop_v1_unit_test_token';

interface Seen {
  method: string;
  url: URL;
  body: unknown;
  auth: string | undefined;
}

/** A local stand-in for api.digitalocean.com; `route` answers each request. */
async function fakeDo(t: TestContext, route: (req: Seen, res: ServerResponse) => void) {
  const requests: Seen[] = [];
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const seen = {
      method: req.method!,
      url: new URL(req.url!, 'http://x'),
      body: text ? JSON.parse(text) : undefined,
      auth: req.headers.authorization,
    };
    requests.push(seen);
    route(seen, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DigitalOceanClient({ token: TOKEN, baseUrl, retry: { baseDelayMs: 1 } });
  t.after(async () => {
    await client.close();
    server.closeAllConnections();
    server.close();
  });
  return { client, requests, baseUrl };
}

const json = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

/** A droplet as the API documents it (trimmed of fields Dynia ignores but keeping their presence). */
function droplet(id: number, overrides: Record<string, unknown> = {}) {
  return {
    id,
    name: `web-${id}`,
    memory: 1024,
    vcpus: 1,
    disk: 25,
    locked: false,
    status: 'active',
    kernel: null,
    created_at: '2026-01-01T00:00:00Z',
    features: [],
    backup_ids: [],
    next_backup_window: null,
    snapshot_ids: [],
    image: { id: 1, slug: 'ubuntu-24-04-x64' },
    volume_ids: [],
    size: { slug: 's-1vcpu-1gb' },
    size_slug: 's-1vcpu-1gb',
    networks: {
      v4: [
        { ip_address: '10.10.0.5', netmask: '255.255.0.0', gateway: '10.10.0.1', type: 'private' },
        { ip_address: `203.0.113.${id}`, netmask: '255.255.240.0', gateway: '203.0.113.1', type: 'public' },
      ],
      v6: [],
    },
    region: { slug: 'nyc3', name: 'New York 3' },
    tags: ['dynia'],
    ...overrides,
  };
}

/** Pages of `per_page` items with `links.pages.next` while more follow, like the real API. */
function paged(req: Seen, baseUrl: string, key: string, all: unknown[]) {
  const page = Number(req.url.searchParams.get('page') ?? 1);
  const perPage = Number(req.url.searchParams.get('per_page') ?? 20);
  const slice = all.slice((page - 1) * perPage, page * perPage);
  const next = page * perPage < all.length ? `${baseUrl}${req.url.pathname}?page=${page + 1}&per_page=${perPage}` : undefined;
  return { [key]: slice, links: next ? { pages: { next, last: next } } : {}, meta: { total: all.length } };
}

describe('DigitalOceanClient', () => {
  it('lists SSH keys across pages', async (t) => {
    const keys = Array.from({ length: 250 }, (_, i) => ({
      id: i + 1,
      fingerprint: `fp:${i}`,
      public_key: `ssh-ed25519 AAAA${i}`,
      name: `k${i}`,
    }));
    const { client, requests, baseUrl } = await fakeDo(t, (req, res) => json(res, 200, paged(req, baseUrl, 'ssh_keys', keys)));
    const listed = await client.listSshKeys();
    assert.equal(listed.length, 250);
    assert.deepEqual(listed[249], { id: 250, fingerprint: 'fp:249', public_key: 'ssh-ed25519 AAAA249', name: 'k249' });
    assert.deepEqual(
      requests.map((r) => r.url.pathname + r.url.search),
      ['/v2/account/keys?page=1&per_page=200', '/v2/account/keys?page=2&per_page=200'],
    );
    assert.equal(requests[0]!.auth, `Bearer ${TOKEN}`);
  });

  it('lists droplets by tag across pages', async (t) => {
    const all = Array.from({ length: 401 }, (_, i) => droplet(i + 1));
    const { client, requests, baseUrl } = await fakeDo(t, (req, res) => json(res, 200, paged(req, baseUrl, 'droplets', all)));
    const listed = await client.listDroplets({ tagName: 'dynia' });
    assert.equal(listed.length, 401);
    assert.equal(requests.length, 3);
    assert.deepEqual(
      requests.map((r) => r.url.searchParams.get('tag_name')),
      ['dynia', 'dynia', 'dynia'],
    );
    assert.deepEqual(
      requests.map((r) => r.url.searchParams.get('page')),
      ['1', '2', '3'],
    );
  });

  it('creates a droplet with the documented request body', async (t) => {
    const { client, requests } = await fakeDo(t, (_req, res) =>
      json(res, 202, {
        droplet: droplet(7, { status: 'new', networks: { v4: [], v6: [] } }),
        links: { actions: [{ id: 1, rel: 'create', href: 'x' }] },
      }),
    );
    const created = await client.createDroplet({
      name: 'web-7',
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      image: 'ubuntu-24-04-x64',
      sshKeys: [289794, '3b:16:e4'],
      tags: ['dynia', 'dynia-node-web-7'],
      userData: '#cloud-config\n',
    });
    assert.equal(created.id, 7);
    assert.equal(created.status, 'new');
    assert.equal(publicIpv4(created), undefined);
    assert.equal(requests[0]!.method, 'POST');
    assert.equal(requests[0]!.url.pathname, '/v2/droplets');
    assert.deepEqual(requests[0]!.body, {
      name: 'web-7',
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      image: 'ubuntu-24-04-x64',
      ssh_keys: [289794, '3b:16:e4'],
      tags: ['dynia', 'dynia-node-web-7'],
      user_data: '#cloud-config\n',
    });
  });

  it('does not repeat a create after a 5xx (it may have happened) but does after a 429', async (t) => {
    let calls = 0;
    const { client, requests } = await fakeDo(t, (_req, res) => {
      calls++;
      if (calls === 1) return json(res, 429, { id: 'too_many_requests', message: 'API rate limit exceeded.' }, { 'retry-after': '0' });
      return json(res, 500, { id: 'server_error', message: 'Unexpected server-side error' });
    });
    const create = client.createDroplet({ name: 'a', region: 'nyc3', size: 's', image: 'i', sshKeys: [], tags: [] });
    await assert.rejects(create, (error: CloudError) => {
      assert.equal(
        error.message,
        'DigitalOcean POST /v2/droplets failed (HTTP 500) after 2 attempts: server_error: Unexpected server-side error',
      );
      return true;
    });
    assert.equal(requests.length, 2);
  });

  it('gets a droplet and finds its public IPv4; a missing one is null', async (t) => {
    const { client } = await fakeDo(t, (req, res) =>
      req.url.pathname === '/v2/droplets/9'
        ? json(res, 200, { droplet: droplet(9) })
        : json(res, 404, { id: 'not_found', message: 'The resource you requested could not be found.' }),
    );
    const found = await client.getDroplet(9);
    assert.equal(found?.name, 'web-9');
    assert.equal(publicIpv4(found!), '203.0.113.9');
    assert.equal(await client.getDroplet(10), null);
  });

  it('deletes a droplet, tolerating one already gone', async (t) => {
    const { client, requests } = await fakeDo(t, (req, res) =>
      req.url.pathname === '/v2/droplets/1'
        ? json(res, 204)
        : json(res, 404, { id: 'not_found', message: 'The resource you requested could not be found.' }),
    );
    assert.equal(await client.deleteDroplet(1), true);
    assert.equal(await client.deleteDroplet(2), false);
    assert.deepEqual(
      requests.map((r) => r.method),
      ['DELETE', 'DELETE'],
    );
  });

  it("surfaces DigitalOcean's own error text", async (t) => {
    const { client } = await fakeDo(t, (_req, res) =>
      json(res, 422, { id: 'unprocessable_entity', message: 'You specified an invalid size for Droplet creation.' }),
    );
    await assert.rejects(
      client.createDroplet({ name: 'a', region: 'nyc3', size: 'huge', image: 'i', sshKeys: [], tags: [] }),
      (error: CloudError) => {
        assert.equal(error.status, 422);
        assert.equal(
          error.message,
          'DigitalOcean POST /v2/droplets failed (HTTP 422): unprocessable_entity: You specified an invalid size for Droplet creation.',
        );
        return true;
      },
    );
  });

  it('rejects an answer that does not match the documented shape', async (t) => {
    const { client } = await fakeDo(t, (_req, res) =>
      json(res, 200, { droplet: { ...droplet(3), networks: { v4: [{ ip_address: 1, type: 'public' }] } } }),
    );
    await assert.rejects(
      client.getDroplet(3),
      /DigitalOcean GET \/v2\/droplets\/3 failed \(HTTP 200\): unexpected response \(droplet\.networks\.v4\.0\.ip_address: /,
    );
  });
});

/**
 * node:create against fake clouds, fake DNS, virtual time and a scripted node: the exact
 * commands, the state after every step, and resuming without a second droplet.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DyniaError } from '../../src/errors.js';
import { emptyState } from '../../src/state/schema.js';
import { nodeCreate, type NodeCreateInput } from '../../src/commands/node-create/workflow.js';
import type { Firewall, FirewallRequest } from '../../src/cloud/digitalocean.js';
import { firewallFrom } from './records.js';
import { FakeClock, fakeCloudflare, fakeDeps, fakeDigitalOcean, fakeDns, FakeNode, memoryTx } from './workflow-fakes.js';

const IP = '203.0.113.10';
const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfTheNode';

const droplet = (id: number, status: 'new' | 'active') => ({
  id,
  name: 'web-1',
  status,
  created_at: '2026-01-01T00:00:00Z',
  size_slug: 's-1vcpu-1gb',
  region: { slug: 'nyc3' },
  tags: ['dynia', 'web-1'],
  networks: { v4: status === 'active' ? [{ ip_address: IP, type: 'public' as const }] : [] },
});

const input: NodeCreateInput = {
  name: 'web-1',
  healthPath: '/healthz',
  region: 'nyc3',
  size: 's-1vcpu-1gb',
  image: 'ubuntu-24-04-x64',
  sshKey: '41',
  dnsTimeoutMs: 3000,
};

describe('nodeCreate', () => {
  /** The account's firewalls, kept across setups like the cloud keeps them across runs. */
  const firewalls: Firewall[] = [];
  const firewallApi = {
    listFirewalls: async () => structuredClone(firewalls),
    createFirewall: async (req: FirewallRequest) => {
      const fw = firewallFrom(`fw-${firewalls.length + 1}`, req);
      firewalls.push(fw);
      return structuredClone(fw);
    },
  };

  function setup(start = emptyState(), opts: { existing?: boolean; dnsFails?: boolean } = {}) {
    const remote = new FakeNode(IP);
    const created: unknown[] = [];
    const clock = new FakeClock();
    const deps = fakeDeps({
      tx: memoryTx(start),
      clock,
      dns: fakeDns(new Map([['web-1.example.com', [IP]]]), clock),
      digitalocean: fakeDigitalOcean({
        listDroplets: async () => (opts.existing ? [droplet(7, 'active')] : []),
        createDroplet: async (req: unknown) => (created.push(req), droplet(7, 'new')),
        getDroplet: async () => droplet(7, 'active'),
        ...firewallApi,
      }),
      cloudflare: fakeCloudflare({
        listDnsRecords: async () => [],
        upsertARecord: async () => {
          if (opts.dnsFails) throw new DyniaError('cloud', 'Cloudflare POST /zones/z/dns_records failed (HTTP 500)');
          return { record: { id: 'rec-1', type: 'A', name: 'web-1.example.com', content: IP, ttl: 60 }, changed: true };
        },
      }),
      settings: {
        domain: 'example.com',
        zoneId: 'z',
        resolvers: [{ host: '127.0.0.1', port: 53 }],
        acme: { ca: 'https://acme.example/dir', caRootPem: 'PEM' },
        sshKeyPath: '/k',
      },
      reporter: { stepStart() {}, stepDone() {}, stepSkipped() {}, info() {}, warn() {} },
      connect: async (_node, onHostKey) => (await onHostKey(HOST_KEY), remote),
      probe: async () => ({ ok: true, status: 200, ms: 1 }),
    });
    return { remote, deps, created };
  }

  test('creates the droplet and the record, then the node over one session, in this exact order', async () => {
    firewalls.length = 0;
    const { remote, deps, created } = setup();
    const result = await nodeCreate(input, deps);
    assert.deepEqual(created, [
      {
        name: 'web-1',
        region: 'nyc3',
        size: 's-1vcpu-1gb',
        image: 'ubuntu-24-04-x64',
        sshKeys: ['41'],
        tags: ['dynia', 'web-1'],
        userData: (created[0] as { userData: string }).userData,
      },
    ]);
    assert.match(
      (created[0] as { userData: string }).userData,
      /docker-compose-v2\n {2}- curl\n/,
      'curl: the swap talks to the Engine API',
    );
    assert.deepEqual(
      remote.calls.map((c) => (c.kind === 'exec' ? c.argv.join(' ').replace(/ -f \S+/g, '') : `${c.kind} ${c.path}`)),
      [
        'docker info --format {{.ServerVersion}}',
        'docker network inspect edge',
        'upload /opt/dynia/proxy/compose.yaml',
        'upload /opt/dynia/placeholder/compose.yaml',
        'upload /opt/dynia/proxy/acme-root.pem',
        'readFile /opt/dynia/proxy/Caddyfile',
        'upload /opt/dynia/proxy/Caddyfile',
        'docker compose -p dynia-placeholder pull',
        'docker compose -p dynia-proxy pull',
        'docker compose -p dynia-placeholder up -d --remove-orphans',
        'docker compose -p dynia-proxy up -d --remove-orphans',
        'readFile /opt/dynia/proxy/Caddyfile',
        'upload /opt/dynia/proxy/Caddyfile.next',
        'docker exec dynia-caddy caddy validate --config /etc/caddy/Caddyfile.next --adapter caddyfile',
        'docker exec dynia-caddy caddy reload --config /etc/caddy/Caddyfile.next --adapter caddyfile',
        'mv /opt/dynia/proxy/Caddyfile.next /opt/dynia/proxy/Caddyfile',
        'upload /opt/dynia/node.json',
        'sh -c cat >> "$1" sh /opt/dynia/audit.log',
      ],
    );
    const caddyfile = remote.files.get('/opt/dynia/proxy/Caddyfile.next')!;
    assert.match(caddyfile, /trusted_roots \/etc\/caddy\/acme-root\.pem/);
    assert.match(caddyfile, /web-1\.example\.com \{\n\treverse_proxy \{\n\t\tdynamic a dynia-placeholder 8080/);
    assert.deepEqual(
      { ...result.node, createdAt: '' },
      {
        name: 'web-1',
        ip: IP,
        fqdn: 'web-1.example.com',
        createdAt: '',
        status: 'active',
        healthPath: '/healthz',
        caddy: { domain: 'web-1.example.com', target: { service: 'placeholder', port: 8080 } },
        dropletId: 7,
        dnsRecordId: 'rec-1',
        sshHostKey: HOST_KEY,
        firewall: { id: 'fw-1', name: 'dynia-web-1', sshFrom: ['0.0.0.0/0', '::/0'] },
        stepsDone: [
          'ssh-key',
          'droplet',
          'firewall',
          'droplet-active',
          'dns-record',
          'dns-propagation',
          'ssh',
          'node-files',
          'pull',
          'proxy',
          'caddy-config',
          'https',
          'manifest',
        ],
      },
    );
    assert.equal(JSON.parse(remote.files.get('/opt/dynia/node.json')!).healthPath, '/healthz');
    assert.deepEqual(JSON.parse(remote.files.get('/opt/dynia/node.json')!).firewall, {
      id: 'fw-1',
      name: 'dynia-web-1',
      sshFrom: ['0.0.0.0/0', '::/0'],
    });
    assert.deepEqual(
      firewalls.map((f) => [f.name, f.droplet_ids, f.inbound_rules.map((r: any) => `${r.protocol} ${r.ports} ${r.sources.addresses}`)]),
      [['dynia-web-1', [7], ['tcp 22 0.0.0.0/0,::/0', 'tcp 80 0.0.0.0/0,::/0', 'tcp 443 0.0.0.0/0,::/0', 'icmp 0 0.0.0.0/0,::/0']]],
    );
  });

  test('a failure half-way leaves a failed node that says what is done; the re-run reuses the droplet and the firewall', async () => {
    firewalls.length = 0;
    const first = setup(emptyState(), { dnsFails: true });
    await assert.rejects(nodeCreate(input, first.deps), /\[Point web-1\.example\.com at the droplet \(Cloudflare, DNS only\)\] Cloudflare/);
    const half = first.deps.tx.state.nodes[0]!;
    assert.equal(half.status, 'failed');
    assert.equal(half.dropletId, 7);
    assert.deepEqual(half.stepsDone, ['ssh-key', 'droplet', 'firewall', 'droplet-active']);

    const again = setup(first.deps.tx.state, { existing: true });
    const result = await nodeCreate(input, again.deps);
    assert.deepEqual(again.created, [], 'no second droplet');
    assert.equal(firewalls.length, 1, 'no second firewall');
    assert.equal(result.node.status, 'active');
    assert.equal(result.node.dropletId, 7);
  });

  test('DNS that answers the old address at first: polled again after 2 s of virtual time, then on', async () => {
    firewalls.length = 0;
    const { deps } = setup();
    const records = new Map([['web-1.example.com', ['198.51.100.9']]]);
    const clock = new FakeClock();
    const dns = fakeDns(records, clock);
    const query = dns.query;
    dns.query = async (name, resolver, timeoutMs) => {
      const answer = await query(name, resolver, timeoutMs);
      records.set('web-1.example.com', [IP]); // the resolver catches up after its first answer
      return answer;
    };
    const details: string[] = [];
    const reporter = {
      ...deps.reporter,
      stepDone: (title: string, _ms: number, detail?: string) => void details.push(`${title}: ${detail}`),
    };
    const result = await nodeCreate(input, { ...deps, clock, dns, reporter });
    assert.equal(result.node.status, 'active');
    assert.deepEqual(dns.queries, ['web-1.example.com', 'web-1.example.com']);
    assert.ok(
      details.includes('Wait until the resolvers answer with the node IP: 1 resolver(s) agree after 2 poll(s), 2000 ms'),
      details.join('\n'),
    );
    assert.deepEqual(clock.sleeps, [2000], 'the one wait between the polls, in virtual time');
  });

  test('an active node of that name is refused before any call', async () => {
    const { deps } = setup();
    await nodeCreate(input, deps);
    const { remote, deps: second, created } = setup(deps.tx.state);
    await assert.rejects(
      nodeCreate(input, second),
      (e: unknown) => e instanceof DyniaError && e.kind === 'input' && /already exists/.test(e.message),
    );
    assert.deepEqual(created, []);
    assert.deepEqual(remote.calls, []);
  });
});

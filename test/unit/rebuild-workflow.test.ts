import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DnsRecord } from '../../src/cloud/cloudflare.js';
import type { Droplet } from '../../src/cloud/digitalocean.js';
import { renderManifest } from '../../src/node/manifest.js';
import { RecordingRemote } from '../../src/remote/recording.js';
import { emptyState, State, type NodeRecord } from '../../src/state/schema.js';
import { nodeManifest } from '../../src/deploy/node-sites.js';
import type { NodeSession } from '../../src/lib/ports.js';
import { rebuildState } from '../../src/commands/state-rebuild/workflow.js';
import { nodeRecord } from './records.js';
import { FakeClock } from './workflow-fakes.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA0000000000000000000000000000000000000000000';
const droplet = (id: number, name: string, ip: string): Droplet => ({
  id,
  name,
  status: 'active',
  created_at: '2026-01-01T00:00:00Z',
  size_slug: 's',
  region: { slug: 'nyc3' },
  tags: ['dynia', name],
  networks: { v4: [{ ip_address: ip, type: 'public' }] },
});
const record = (id: string, name: string, content: string): DnsRecord => ({ id, type: 'A', name, content, ttl: 60 });
const node = (name: string, ip: string, extra: Partial<NodeRecord> = {}) =>
  nodeRecord(name, { ip, createdAt: '2026-01-01T00:00:00Z', ...extra });

class FakeNode extends RecordingRemote implements NodeSession {
  readonly stats = { connections: 1, commands: 0 };
  closed = false;
  async close() {
    this.closed = true;
  }
}

test('state:rebuild asks the cloud once, each node once, and probes only the nodes it keeps active', async () => {
  const sessions = new Map<string, FakeNode>();
  for (const [name, ip] of [
    ['web-1', '10.0.0.1'],
    ['web-2', '10.0.0.2'],
  ] as const) {
    const remote = new FakeNode(ip);
    remote.files.set('/opt/dynia/node.json', renderManifest(nodeManifest(node(name, ip), [], 'now')));
    sessions.set(ip, remote);
  }
  const connects: Array<{ name: string; pinned: boolean }> = [];
  const probes: string[] = [];
  const calls: string[] = [];
  const current = State.parse({ version: 1, nodes: [node('web-1', '10.0.0.1', { dropletId: 1, sshHostKey: KEY })], deployments: [] });
  const result = await rebuildState(current, {
    digitalocean: {
      listDroplets: async (filter) => (
        calls.push(`droplets ${filter?.tagName}`),
        [droplet(1, 'web-1', '10.0.0.1'), droplet(2, 'web-2', '10.0.0.2'), droplet(3, 'web-3', '10.0.0.3')]
      ),
    },
    cloudflare: {
      listDnsRecords: async (zone, filter) => (
        calls.push(`records ${zone} ${filter?.type}`),
        [
          record('r1', 'web-1.example.com', '10.0.0.1'),
          record('r2', 'web-2.example.com', '10.0.0.2'),
          record('r3', 'web-3.example.com', '10.0.0.3'),
        ]
      ),
    },
    settings: { domain: 'example.com', zoneId: 'z1' },
    reporter: { stepStart() {}, stepDone() {}, stepSkipped() {}, info() {}, warn() {} },
    clock: new FakeClock(),
    connect: async (target, onHostKey) => {
      connects.push({ name: target.name, pinned: target.sshHostKey === KEY });
      const session = sessions.get(target.ip);
      if (!session) throw new Error('cannot connect to root@10.0.0.3:22: connect EHOSTUNREACH\ndetail');
      if (!target.sshHostKey) await onHostKey(KEY); // as connectNode: a pinned key is verified, not offered
      return session;
    },
    probe: async (url) => (probes.push(url), url.includes('web-2') ? { ok: false, status: 502, ms: 1 } : { ok: true, status: 200, ms: 1 }),
  });
  assert.deepEqual(calls, ['droplets dynia', 'records z1 A']);
  assert.deepEqual(connects, [
    { name: 'web-1', pinned: true },
    { name: 'web-2', pinned: false },
    { name: 'web-3', pinned: false },
  ]);
  assert.ok([...sessions.values()].every((s) => s.closed));
  assert.deepEqual(
    result.state.nodes.map((n) => `${n.name}:${n.status}`),
    ['web-1:active', 'web-2:active', 'web-3:failed'],
  );
  assert.deepEqual(
    result.trusted.map((t) => `${t.node}:${t.trust}`),
    ['web-1:pinned', 'web-2:first-use'],
  );
  assert.deepEqual(
    probes.sort(),
    ['https://web-1.example.com/', 'https://web-2.example.com/', 'https://web-2.example.com/'],
    'a failed probe is tried once more',
  );
  assert.deepEqual(
    result.health.map((h) => `${h.node}:${h.ok}`),
    ['web-1:true', 'web-2:false'],
  );
  assert.deepEqual(
    result.findings.map((f) => `${f.kind}:${f.node}`),
    ['unreachable:web-3', 'unhealthy:web-2'],
  );
  assert.match(
    result.findings[0]!.message,
    /cannot connect over SSH \(cannot connect to root@10\.0\.0\.3:22: connect EHOSTUNREACH\)\. Kept as failed/,
  );
});

test('state:rebuild with nothing in the cloud: an empty state, no SSH, no probes', async () => {
  const result = await rebuildState(emptyState(), {
    digitalocean: { listDroplets: async () => [] },
    cloudflare: { listDnsRecords: async () => [] },
    settings: { domain: 'example.com', zoneId: 'z1' },
    reporter: { stepStart() {}, stepDone() {}, stepSkipped() {}, info() {}, warn() {} },
    clock: new FakeClock(),
    connect: async () => assert.fail('no node to connect to'),
    probe: async () => assert.fail('no node to probe'),
  });
  assert.deepEqual(result, { state: emptyState(), findings: [], trusted: [], health: [] });
});

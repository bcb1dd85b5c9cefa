import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Droplet } from '../../src/cloud/digitalocean.js';
import { RecordingRemote } from '../../src/remote/recording.js';
import { State, type Deployment, type NodeRecord } from '../../src/state/schema.js';
import { nodeStatuses, statusProblems, statusRow, STATUS_HEADERS } from '../../src/commands/status/workflow.js';
import type { NodeSession } from '../../src/lib/ports.js';

const node = (name: string, ip: string, extra: Partial<NodeRecord> = {}): NodeRecord => ({
  name,
  ip,
  fqdn: `${name}.example.com`,
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'active',
  healthPath: '/healthz',
  caddy: { domain: `${name}.example.com`, target: { service: 'placeholder', port: 8080 } },
  sshHostKey: 'ssh-ed25519 AAAA',
  stepsDone: [],
  ...extra,
});
const deployment = (n: string, project: string, status: Deployment['status'], at: string, extra: Partial<Deployment> = {}): Deployment => ({
  node: n,
  app: 'hello',
  project,
  composeHash: 'a'.repeat(64),
  entryService: 'web',
  entryPort: 8080,
  domain: `${n}.example.com`,
  status,
  createdAt: at,
  updatedAt: at,
  ...extra,
});
const droplet = (id: number, status: Droplet['status']): Droplet => ({
  id,
  name: `d${id}`,
  status,
  created_at: '',
  size_slug: '',
  region: { slug: 'nyc3' },
  tags: ['dynia'],
  networks: { v4: [] },
});

class FakeNode extends RecordingRemote implements NodeSession {
  readonly stats = { connections: 1, commands: 0 };
  async close() {}
}

test('dynia status: one connection per node, every check in parallel, problems named', async () => {
  const state = State.parse({
    version: 1,
    nodes: [
      node('web-1', '10.0.0.1', { dropletId: 1 }),
      node('web-2', '10.0.0.2', { dropletId: 2 }),
      node('web-3', '10.0.0.3', { sshHostKey: undefined, status: 'failed' }),
    ],
    deployments: [
      deployment('web-1', 'hello-blue', 'superseded', '2026-01-02T00:00:00.000Z'),
      deployment('web-1', 'hello-green', 'active', '2026-01-03T00:00:00.000Z'),
      deployment('web-2', 'api-blue', 'failed', '2026-01-04T00:00:00.000Z', { app: 'api', reason: '[Check] boom' }),
    ],
  });
  const sessions = new Map<string, FakeNode>([
    ['10.0.0.1', new FakeNode('10.0.0.1').on(['docker', 'inspect'], { stdout: 'true\n' })],
    ['10.0.0.2', new FakeNode('10.0.0.2').on(['docker', 'inspect'], { stdout: 'false\n' })],
  ]);
  const connects: string[] = [];
  const statuses = await nodeStatuses(state, {
    digitalocean: { listDroplets: async () => [droplet(1, 'active'), droplet(2, 'off')] },
    settings: {
      resolvers: [
        { host: '10.9.0.1', port: 53 },
        { host: '10.9.0.2', port: 53 },
      ],
    },
    dns: {
      query: async (name, resolver) =>
        name === 'web-2.example.com' && resolver.host === '10.9.0.2'
          ? { error: 'NXDOMAIN' }
          : { ips: [name === 'web-1.example.com' ? '10.0.0.1' : name === 'web-2.example.com' ? '10.0.0.2' : '10.0.0.3'] },
    },
    connect: async (n) => {
      connects.push(n.name);
      return sessions.get(n.ip)!;
    },
    probe: async (url) =>
      url.includes('web-1') ? { ok: true, status: 200, ms: 12 } : { ok: false, error: 'connection to x refused', ms: 3 },
  });
  assert.deepEqual(connects, ['web-1', 'web-2'], 'one session per node with a pinned key');
  assert.deepEqual(sessions.get('10.0.0.1')!.commands, ["docker inspect -f '{{.State.Running}}' dynia-caddy"]);
  assert.deepEqual(
    statuses.map((s) => s.ok),
    [true, false, false],
  );
  assert.deepEqual(STATUS_HEADERS, ['NODE', 'STATE', 'DROPLET', 'FIREWALL', 'DNS', 'CADDY', 'HEALTH', 'SERVES', 'LAST DEPLOYMENT']);
  assert.deepEqual(statuses.map(statusRow), [
    [
      'web-1',
      'active',
      'active',
      '-',
      'ok (2/2)',
      'up',
      'HTTP 200 (12 ms)',
      'web-1.example.com→hello',
      'hello hello-green active 2026-01-03 00:00:00',
    ],
    [
      'web-2',
      'active',
      'off',
      '-',
      '1/2 ok',
      'down',
      'no answer',
      'web-2.example.com→placeholder',
      'api api-blue failed 2026-01-04 00:00:00',
    ],
    ['web-3', 'failed', 'missing', '-', 'ok (2/2)', 'unknown', 'no answer', 'web-3.example.com→placeholder', '-'],
  ]);
  assert.deepEqual(statuses.flatMap(statusProblems), [
    'web-2: droplet 2 is off',
    'web-2: 10.9.0.2:53 answers NXDOMAIN for web-2.example.com (expected 10.0.0.2)',
    'web-2: Caddy stopped',
    'web-2: https://web-2.example.com/healthz: connection to x refused',
    'web-2: last deployment api-blue failed: [Check] boom',
    'web-3: droplet (none in state) is missing',
    'web-3: Caddy unknown (no pinned SSH host key)',
    'web-3: https://web-3.example.com/healthz: connection to x refused',
  ]);
  assert.deepEqual(statuses[0]!.bindings, [{ domain: 'web-1.example.com', app: 'hello', project: 'hello-green' }]);
});

test('dynia status: a failing DigitalOcean API or SSH connection is shown, not fatal', async () => {
  const state = State.parse({ version: 1, nodes: [node('web-1', '10.0.0.1', { dropletId: 1 })], deployments: [] });
  const [status] = await nodeStatuses(state, {
    digitalocean: {
      listDroplets: async () => {
        throw new Error('DigitalOcean GET /v2/droplets: HTTP 503');
      },
    },
    settings: { resolvers: [{ host: '10.9.0.1', port: 53 }] },
    dns: { query: async () => ({ ips: ['10.0.0.1'] }) },
    connect: async () => {
      throw new Error('cannot connect to root@10.0.0.1:22: connect EHOSTUNREACH\nmore');
    },
    probe: async () => ({ ok: true, status: 200, ms: 5 }),
  });
  assert.deepEqual(status!.droplet, { id: 1, status: 'unknown', error: 'DigitalOcean GET /v2/droplets: HTTP 503' });
  assert.deepEqual(status!.caddy, { running: null, detail: 'unknown (SSH: cannot connect to root@10.0.0.1:22: connect EHOSTUNREACH)' });
  assert.equal(status!.ok, false);
});

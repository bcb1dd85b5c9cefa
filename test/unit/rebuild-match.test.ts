import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DnsRecord } from '../../src/cloud/cloudflare.js';
import type { Droplet } from '../../src/cloud/digitalocean.js';
import { renderManifest } from '../../src/node/manifest.js';
import { emptyState, State, type Deployment, type NodeRecord } from '../../src/state/schema.js';
import { NODE_CREATE_STEPS } from '../../src/commands/node-create/workflow.js';
import { nodeManifest } from '../../src/deploy/node-sites.js';
import { assembleState, healthFindings, type Observation } from '../../src/commands/state-rebuild/assemble.js';
import { deploymentRecord, nodeRecord } from './records.js';
import { matchDroplets } from '../../src/commands/state-rebuild/match.js';

const DOMAIN = 'example.com';
const KEY_A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA0000000000000000000000000000000000000000000';
const KEY_B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB1111111111111111111111111111111111111111111';

const droplet = (id: number, name: string, ip?: string, status: Droplet['status'] = 'active'): Droplet => ({
  id,
  name,
  status,
  created_at: `2026-01-0${id % 9}T00:00:00Z`,
  size_slug: 's-1vcpu-1gb',
  region: { slug: 'nyc3' },
  tags: ['dynia', name],
  networks: { v4: ip ? [{ ip_address: ip, type: 'public' }] : [] },
});
const record = (id: string, name: string, content: string): DnsRecord => ({ id, type: 'A', name, content, ttl: 60, proxied: false });

const node = (name: string, ip: string, extra: Partial<NodeRecord> = {}) =>
  nodeRecord(name, { ip, createdAt: '2025-12-31T00:00:00.000Z', healthPath: '/healthz', stepsDone: [...NODE_CREATE_STEPS], ...extra });
const deployment = (n: string, project: string, status: Deployment['status'], createdAt: string, domain = `${n}.${DOMAIN}`) =>
  deploymentRecord(n, project, { domain, status, createdAt, updatedAt: createdAt });
/** What node:create and app:deploy write on a node for this node record and deployments. */
const manifestOf = (n: NodeRecord, deployments: Deployment[]) => renderManifest(nodeManifest(n, deployments, '2026-01-05T00:00:00.000Z'));
const reached = (manifestText: string | null, hostKey = KEY_A, trust: 'first-use' | 'pinned' = 'first-use'): Observation => ({
  reached: true,
  hostKey,
  trust,
  manifestText,
});

describe('matchDroplets', () => {
  test('pairs each droplet with the A record of its name and IP; reports the rest', () => {
    const result = matchDroplets({
      domain: DOMAIN,
      droplets: [
        droplet(1, 'web-1', '10.0.0.1'),
        droplet(2, 'web-2', '10.0.0.2'),
        droplet(3, 'booting'),
        droplet(4, 'Bad_Name', '10.0.0.4'),
      ],
      records: [
        record('r1', 'web-1.example.com', '10.0.0.1'),
        record('r2', 'web-2.example.com', '10.0.0.99'),
        record('r3', 'ghost.example.com', '10.0.0.50'),
        record('r4', 'app.example.com', '10.0.0.1'),
        record('r5', 'deep.name.example.com', '10.0.0.51'),
      ],
      current: emptyState(),
    });
    assert.deepEqual(
      result.candidates.map((c) => ({ name: c.name, ip: c.ip, record: c.record?.id, stray: c.strayRecords.map((r) => r.id) })),
      [
        { name: 'web-1', ip: '10.0.0.1', record: 'r1', stray: [] },
        { name: 'web-2', ip: '10.0.0.2', record: undefined, stray: ['r2'] },
      ],
    );
    assert.deepEqual(
      result.findings.map((f) => [f.kind, f.outcome, f.node ?? f.record?.name ?? f.dropletId]),
      [
        ['no-ip', 'left-out', 'booting'],
        ['bad-name', 'left-out', 4],
        ['orphan-record', 'reported', 'web-2.example.com'],
        ['orphan-record', 'reported', 'ghost.example.com'],
      ],
    );
    assert.equal(
      result.findings[3]!.message,
      'A record ghost.example.com → 10.0.0.50 points at no dynia droplet; not in the state. If it belonged to a node that is gone, delete the record.',
    );
    assert.match(result.findings[2]!.message, /\(droplet web-2 has another IP\)/);
  });

  test('of several droplets with one name, only the one its record points at is a candidate', () => {
    const result = matchDroplets({
      domain: DOMAIN,
      droplets: [droplet(1, 'web-1', '10.0.0.1'), droplet(2, 'web-1', '10.0.0.2')],
      records: [record('r1', 'web-1.example.com', '10.0.0.2')],
      current: emptyState(),
    });
    assert.deepEqual(
      result.candidates.map((c) => c.droplet.id),
      [2],
    );
    assert.deepEqual(
      result.findings.map((f) => [f.kind, f.dropletId]),
      [['duplicate-droplet', 1]],
    );
    assert.match(
      result.findings[0]!.message,
      /2 droplets are named web-1 \(ids 1, 2\) and web-1\.example\.com points at droplet 2; left out/,
    );

    const none = matchDroplets({
      domain: DOMAIN,
      droplets: [droplet(1, 'web-1', '10.0.0.1'), droplet(2, 'web-1', '10.0.0.2')],
      records: [],
      current: emptyState(),
    });
    assert.deepEqual(none.candidates, []);
    assert.deepEqual(
      none.findings.map((f) => f.kind),
      ['duplicate-droplet', 'duplicate-droplet'],
    );
  });

  test('a host key the current state pinned for the same droplet is to be verified, not re-trusted', () => {
    const current = State.parse({
      version: 1,
      nodes: [
        node('web-1', '10.0.0.1', { dropletId: 1, sshHostKey: KEY_A }),
        node('web-2', '10.0.0.2', { dropletId: 7, sshHostKey: KEY_B }),
      ],
      deployments: [],
    });
    const result = matchDroplets({
      domain: DOMAIN,
      droplets: [droplet(1, 'web-1', '10.0.0.1'), droplet(2, 'web-2', '10.0.0.2')],
      records: [],
      current,
    });
    assert.deepEqual(
      result.candidates.map((c) => [c.name, c.knownHostKey]),
      [
        ['web-1', KEY_A],
        ['web-2', undefined],
      ],
    );
  });
});

describe('assembleState', () => {
  const web1 = node('web-1', '10.0.0.1', { dropletId: 1, dnsRecordId: 'r1', sshHostKey: KEY_A, createdAt: '2026-01-01T00:00:00Z' });
  const history = [
    deployment('web-1', 'hello-blue', 'superseded', '2026-01-02T00:00:00.000Z'),
    deployment('web-1', 'hello-green', 'active', '2026-01-03T00:00:00.000Z'),
  ];
  const served = { ...web1, caddy: { domain: web1.fqdn, target: { service: 'web', port: 8080 } } };
  const cloud = () =>
    matchDroplets({
      domain: DOMAIN,
      droplets: [droplet(1, 'web-1', '10.0.0.1'), droplet(2, 'web-2', '10.0.0.2'), droplet(3, 'web-3', '10.0.0.3')],
      records: [record('r1', 'web-1.example.com', '10.0.0.1'), record('r2', 'web-2.example.com', '10.0.0.2')],
      current: emptyState(),
    }).candidates;

  test('droplet + record + manifest: the node and its deployments as they were', () => {
    const { state, findings, trusted } = assembleState({
      candidates: cloud().slice(0, 1),
      observations: new Map([[1, reached(manifestOf(served, history))]]),
      current: emptyState(),
    });
    assert.deepEqual(state, { version: 1, nodes: [served], deployments: history });
    assert.deepEqual(findings, []);
    assert.deepEqual(trusted, [{ node: 'web-1', hostKey: KEY_A, trust: 'first-use' }]);
  });

  test('unreachable with a record: kept as failed with what the cloud tells; without one: left out', () => {
    const { state, findings } = assembleState({
      candidates: cloud(),
      observations: new Map<number, Observation>([
        [1, reached(manifestOf(served, history))],
        [2, { reached: false, error: 'cannot connect over SSH (connect EHOSTUNREACH)' }],
        [3, { reached: false, error: 'cannot connect over SSH (timed out)' }],
      ]),
      current: emptyState(),
    });
    assert.deepEqual(state.nodes[1], {
      name: 'web-2',
      ip: '10.0.0.2',
      fqdn: 'web-2.example.com',
      createdAt: '2026-01-02T00:00:00Z',
      status: 'failed',
      healthPath: '/',
      caddy: { domain: 'web-2.example.com', target: { service: 'placeholder', port: 8080 } },
      dropletId: 2,
      dnsRecordId: 'r2',
      stepsDone: ['droplet', 'droplet-active'],
    });
    assert.equal(state.nodes.length, 2);
    assert.deepEqual(state.deployments, history, 'no deployments are invented for the unreachable node');
    assert.deepEqual(
      findings.map((f) => [f.kind, f.outcome, f.node]),
      [
        ['unreachable', 'kept-failed', 'web-2'],
        ['unreachable', 'left-out', 'web-3'],
      ],
    );
    assert.equal(
      findings[0]!.message,
      'droplet web-2 (id 2, 10.0.0.2): cannot connect over SSH (connect EHOSTUNREACH). Kept as failed with what the cloud tells (no deployments); run dynia state:rebuild again once it answers, or remove it: dynia node:destroy --name web-2.',
    );
    assert.match(
      findings[1]!.message,
      /no A record web-3\.example\.com and cannot connect over SSH \(timed out\): nothing ties it to this zone; left out\./,
    );
  });

  test('an unreachable node keeps the host key the current state pinned for it', () => {
    const current = State.parse({
      version: 1,
      nodes: [node('web-2', '10.0.0.2', { dropletId: 2, sshHostKey: KEY_B, createdAt: '2025-01-01T00:00:00.000Z' })],
      deployments: [],
    });
    const candidates = matchDroplets({
      domain: DOMAIN,
      droplets: [droplet(2, 'web-2', '10.0.0.2')],
      records: [record('r2', 'web-2.example.com', '10.0.0.2')],
      current,
    }).candidates;
    const { state } = assembleState({ candidates, observations: new Map([[2, { reached: false, error: 'x' }]]), current });
    assert.equal(state.nodes[0]!.sshHostKey, KEY_B);
    assert.equal(state.nodes[0]!.createdAt, '2025-01-01T00:00:00.000Z', 'creation time kept from the state that knew this droplet');
  });

  test('no A record but a manifest of this domain: kept as failed with its deployments', () => {
    const web3 = node('web-3', '10.0.0.3');
    const { state, findings } = assembleState({
      candidates: cloud().slice(2),
      observations: new Map([[3, reached(manifestOf(web3, []))]]),
      current: emptyState(),
    });
    assert.equal(state.nodes[0]!.status, 'failed');
    assert.equal(state.nodes[0]!.healthPath, '/healthz');
    assert.equal(state.nodes[0]!.dnsRecordId, undefined);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.outcome]),
      [['no-dns-record', 'kept-failed']],
    );
    assert.equal(
      findings[0]!.message,
      'droplet web-3 (id 3, 10.0.0.3): no A record web-3.example.com. Kept as failed with its deployments; dynia node:create --name web-3 --health-path /healthz re-creates the record.',
    );
  });

  test('missing, broken, misnamed and foreign manifests', () => {
    const candidates = cloud();
    const foreign = { ...node('web-2', '10.0.0.2'), fqdn: 'web-2.other.org' };
    const cases: Array<[string | null, number, string, string]> = [
      [null, 0, 'no-manifest', 'kept-failed'],
      ['{"version":1', 0, 'bad-manifest', 'kept-failed'],
      [manifestOf(node('web-9', '10.0.0.1'), []), 0, 'bad-manifest', 'kept-failed'],
      [manifestOf(foreign, []), 1, 'other-domain', 'left-out'],
      [null, 2, 'no-manifest', 'left-out'],
    ];
    for (const [text, index, kind, outcome] of cases) {
      const c = candidates[index]!;
      const { state, findings } = assembleState({
        candidates: [c],
        observations: new Map([[c.droplet.id, reached(text)]]),
        current: emptyState(),
      });
      assert.deepEqual(
        findings.map((f) => [f.kind, f.outcome]),
        [[kind, outcome]],
        `${kind} on ${c.name}`,
      );
      assert.equal(state.nodes.length, outcome === 'kept-failed' ? 1 : 0);
      assert.deepEqual(state.deployments, []);
    }
  });

  test('a manifest whose bindings disagree with its deployments is taken, and said', () => {
    const text = JSON.parse(manifestOf(served, history));
    text.bindings = [{ domain: 'web-1.example.com', upstream: { alias: 'dynia-placeholder', port: 8080 } }];
    const { state, findings } = assembleState({
      candidates: cloud().slice(0, 1),
      observations: new Map([[1, reached(JSON.stringify(text))]]),
      current: emptyState(),
    });
    assert.deepEqual(state.deployments, history);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.outcome]),
      [['manifest-mismatch', 'kept-active']],
    );
  });

  test('nodes keep the current order, new ones follow by droplet id; deployments by creation time; slb is kept', () => {
    const current = State.parse({
      version: 1,
      nodes: [node('web-2', '10.0.0.2', { dropletId: 2 })],
      deployments: [],
      slb: { name: 'dynia-slb', url: 'https://x', origins: [], publishedAt: '2026-01-01T00:00:00Z' },
    });
    const web2 = node('web-2', '10.0.0.2');
    const candidates = cloud().slice(0, 2);
    const { state } = assembleState({
      candidates,
      observations: new Map([
        [1, reached(manifestOf(served, history))],
        [2, reached(manifestOf(web2, [deployment('web-2', 'api-blue', 'active', '2026-01-02T12:00:00.000Z')]))],
      ]),
      current,
    });
    assert.deepEqual(
      state.nodes.map((n) => n.name),
      ['web-2', 'web-1'],
    );
    assert.deepEqual(
      state.deployments.map((d) => d.project),
      ['hello-blue', 'api-blue', 'hello-green'],
    );
    assert.equal(state.slb?.name, 'dynia-slb');
  });
});

test('healthFindings reports unhealthy nodes and leaves them active', () => {
  const state = State.parse({
    version: 1,
    nodes: [node('web-1', '10.0.0.1', { dropletId: 1 }), node('web-2', '10.0.0.2', { dropletId: 2 })],
    deployments: [],
  });
  const findings = healthFindings(
    state,
    new Map([
      ['web-1', { ok: true, status: 200 }],
      ['web-2', { ok: false, error: 'connection to web-2.example.com refused' }],
    ]),
  );
  assert.deepEqual(findings, [
    {
      kind: 'unhealthy',
      outcome: 'kept-active',
      node: 'web-2',
      dropletId: 2,
      message: 'https://web-2.example.com/healthz is not healthy now: connection to web-2.example.com refused',
    },
  ]);
});

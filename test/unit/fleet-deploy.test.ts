/**
 * app:deploy to two scripted nodes: each node's exact commands, the release step once on the first node
 * between the barrier and the swaps, and a node failing its internal check leaving both nodes unswapped.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { composeHash } from './compose-hash.js';
import { appModel } from '../../src/compose/app-model.js';
import { parseCompose } from '../../src/compose/parse.js';
import { planDeploy } from '../../src/commands/app-deploy/plan.js';
import { DyniaError } from '../../src/errors.js';
import type { ProbeResult } from '../../src/health/probe.js';
import { State, type NodeRecord } from '../../src/state/schema.js';
import { fleetDeploy, planFleet } from '../../src/commands/app-deploy/fleet.js';
import { fakeDeps, FakeNode, matchesState, memoryTx } from './workflow-fakes.js';

const node = (name: string, ip: string, healthPath: string): NodeRecord => ({
  name,
  ip,
  fqdn: `${name}.example.com`,
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'active',
  healthPath,
  caddy: { domain: `${name}.example.com`, target: { service: 'placeholder', port: 8080 } },
  sshHostKey: 'ssh-ed25519 AAAA',
  stepsDone: [],
});
const V1 = 'services:\n  web:\n    image: shop:1\n    expose: ["8080"]\n    labels:\n      dynia.release: "bin/migrate --yes"\n';

function setup() {
  const nodes = [node('a', '203.0.113.1', '/'), node('b', '203.0.113.2', '/healthz')];
  const remotes = new Map(nodes.map((n) => [n.name, new FakeNode(n.ip)]));
  const order: string[] = [];
  for (const [name, remote] of remotes) {
    const exec = remote.exec.bind(remote);
    remote.exec = (argv, options) => (order.push(`${name} ${argv.join(' ')}`), exec(argv, options));
  }
  const deps = fakeDeps({
    tx: memoryTx(State.parse({ version: 1, nodes, deployments: [] })),
    settings: { domain: 'example.com', zoneId: 'z', resolvers: [], acme: { ca: 'https://acme.example/dir' }, sshKeyPath: '/k' },
    reporter: { stepStart() {}, stepDone() {}, stepSkipped() {}, info() {}, warn() {} },
    connect: async (n: NodeRecord) => remotes.get(n.name)!,
    probe: async (_url: string): Promise<ProbeResult> => ({ ok: true, status: 200, ms: 1 }),
  });
  for (const [name, remote] of remotes) matchesState(remote, deps.tx, deps.settings, name);
  const plan = (text: string, force = false) => {
    const file = parseCompose(text, 'shop.yaml');
    const model = appModel(file, () => 'missing');
    const planNode = (n: string) =>
      planDeploy(deps.tx.state, { node: n, app: 'shop', file, model, files: [], hash: composeHash(text), force });
    return planFleet({ app: 'shop', nodes: deps.tx.state.nodes, file, planNode });
  };
  return { remotes, deps, order, plan };
}

const run = (s: ReturnType<typeof setup>, text: string) =>
  fleetDeploy(
    s.plan(text),
    { composeText: text, interpolationEnv: '', readAppFile: () => Buffer.alloc(0), entryHealthcheck: false, timeoutMs: 5000, parallel: 4 },
    s.deps,
  );

describe('fleetDeploy', () => {
  test('two nodes: each probes its own health path; the release runs once, on a, after both are healthy and before either swaps', async () => {
    const s = setup();
    const result = await run(s, V1);
    const i = (what: RegExp) => s.order.findIndex((line) => what.test(line));
    const release = s.order.filter((line) => line.includes(' run --rm'));
    assert.deepEqual(
      release.map((l) => l.split(' ')[0]),
      ['a'],
    );
    assert.deepEqual(
      s.remotes.get('a')!.commands.find((c) => c.includes(' run ')),
      'docker compose -p shop-blue --project-directory /opt/dynia/apps/shop-blue/src --env-file /opt/dynia/apps/shop-blue/interpolation.env -f /opt/dynia/apps/shop-blue/compose.yaml -f /opt/dynia/apps/shop-blue/dynia.override.yaml run --rm --no-deps -T web bin/migrate --yes',
    );
    const healthy = Math.max(i(/^a docker exec dynia-caddy sh -c/), i(/^b docker exec dynia-caddy sh -c/));
    assert.ok(healthy < i(/ run --rm/) && i(/ run --rm/) < i(/networks\/edge\/disconnect/), s.order.join('\n'));
    assert.match(s.remotes.get('a')!.commands.find((c) => c.includes('wget'))!, / http:\/\/shop-blue-web-1:8080\/ 5$/);
    assert.match(s.remotes.get('b')!.commands.find((c) => c.includes('wget'))!, / http:\/\/shop-blue-web-1:8080\/healthz 5$/);
    assert.deepEqual(
      result.nodes.map((n) => `${n.node}:${n.outcome}:${n.deployment?.project}`),
      ['a:deployed:shop-blue', 'b:deployed:shop-blue'],
    );
    assert.deepEqual(
      s.deps.tx.state.deployments.map((d) => `${d.node}:${d.project}:${d.status}`).sort(),
      ['a:shop-blue:active', 'b:shop-blue:active'],
      'both commits kept',
    );
    assert.deepEqual(
      [...s.remotes.values()].map((r) => r.closed),
      [true, true],
    );
  });

  test('b never healthy: neither node swaps, a removes its new version, the error names b', async () => {
    const s = setup();
    s.remotes
      .get('b')!
      .on((argv) => argv.includes('dynia-caddy') && argv.some((a) => a.includes('wget')), { code: 1, stderr: 'HTTP/1.1 404 Not Found' });
    const error = await run(s, V1).catch((e) => e);
    assert.ok(error instanceof DyniaError && error.kind === 'health');
    assert.match(
      error.message,
      /^No node swapped: b failed before the swap:\n {2}b: \[Wait for http:\/\/shop-blue-web-1:8080\/healthz inside edge\]/,
    );
    for (const remote of s.remotes.values()) {
      assert.ok(!remote.commands.some((c) => c.includes('/networks/edge/') || c.includes(' run --rm')), 'no swap, no release');
      assert.ok(
        remote.commands.some((c) => /-p shop-blue .*down$/.test(c)),
        'the new version is removed',
      );
    }
    assert.deepEqual(s.deps.tx.state.deployments.map((d) => `${d.node}:${d.status}:${d.reason}`).sort(), [
      'a:failed:b not ready',
      'b:failed:[Wait for http://shop-blue-web-1:8080/healthz inside edge] http://shop-blue-web-1:8080/healthz did not answer 2xx/3xx within 5 s; last: HTTP/1.1 404 Not Found',
    ]);
  });

  test('b fails its external check after the swap: both nodes go back to the previous version, and the error says so', async () => {
    const s = setup();
    await run(s, V1);
    s.deps.probe = async (url: string) =>
      url.startsWith('https://b.') ? { ok: false, status: 502, ms: 1 } : { ok: true, status: 200, ms: 1 };
    const V2 = V1.replace('shop:1', 'shop:2');
    const error = await fleetDeploy(
      s.plan(V2),
      { composeText: V2, interpolationEnv: '', readAppFile: () => Buffer.alloc(0), entryHealthcheck: false, timeoutMs: 600, parallel: 4 },
      s.deps,
    ).catch((e) => e);
    assert.match(
      error.message,
      /^b failed after the swap:\n {2}b: \[Check https:\/\/b\.example\.com\/healthz\].*\nRolled back on every node, so the fleet stays on one version:\n {2}a: the previous version shop-blue serves a\.example\.com again\n {2}b: the previous version shop-blue serves b\.example\.com again$/s,
    );
    for (const remote of s.remotes.values()) {
      // The swap: the alias move, in the drain's command on a redeploy.
      const after = remote.commands.slice(
        remote.commands.findIndex((c) => c.includes('/networks/edge/connect') && c.includes('"Container":"shop-green-web-1"')),
      );
      assert.ok(
        after.some((c) => /restart.*-p shop-blue .* start/s.test(c)),
        'the previous version is started again',
      );
      assert.ok(
        after.some((c) => /-p shop-green .*down$/.test(c)),
        'the new version is removed',
      );
    }
    assert.deepEqual(s.deps.tx.state.deployments.map((d) => `${d.node}:${d.project}:${d.status}`).sort(), [
      'a:shop-blue:active',
      'a:shop-green:failed',
      'b:shop-blue:active',
      'b:shop-green:failed',
    ]);
    assert.match(s.deps.tx.state.deployments.find((d) => d.node === 'a' && d.status === 'failed')!.reason!, /^b failed after the swap$/);
  });

  test('a node already running the file is skipped unless --force; a domain label on a multi-node deploy is refused', async () => {
    const s = setup();
    await run(s, V1);
    assert.deepEqual(s.plan(V1).plans.length, 0);
    assert.deepEqual(
      s.plan(V1, true).plans.map((p) => `${p.node.name}:${p.project}`),
      ['a:shop-green', 'b:shop-green'],
    );
    assert.throws(
      () => s.plan('services:\n  web:\n    image: x\n    expose: ["80"]\n    labels:\n      dynia.domain: shop.example.com\n'),
      /names one host/,
    );
  });
});

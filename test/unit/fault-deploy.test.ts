/**
 * The fault-injection tier for app:deploy (one node and a fleet of two) and app:rollback: each interrupted at
 * every remote command, state commit and probe of a clean run (SIGKILL before / after it, the SSH link dropped
 * after it), then the same command again, run as the CLI runs it (nodes already on the file reconciled too).
 * Invariants after the re-run: state parses and names the version the command asked for; on every node exactly
 * one colour of the app runs and holds the domain's alias, the one state calls active; Caddy runs the
 * Caddyfile state implies and the manifest is state's; no other container of the app runs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appModel } from '../../src/compose/app-model.js';
import { composeHash } from './compose-hash.js';
import { parseCompose } from '../../src/compose/parse.js';
import { DyniaError } from '../../src/errors.js';
import { LAYOUT } from '../../src/node/layout.js';
import { parseManifest } from '../../src/node/manifest.js';
import { upstreamAlias } from '../../src/node/caddy/upstream-alias.js';
import type { State } from '../../src/state/schema.js';
import { planDeploy } from '../../src/commands/app-deploy/plan.js';
import { appRollback } from '../../src/commands/app-rollback/workflow.js';
import { planRollbackReconciled } from '../../src/deploy/deploy-reconcile.js';
import { caddyfileFor } from '../../src/deploy/deploy-shared.js';
import { fleetDeploy, planFleet, reconcileUnchanged } from '../../src/commands/app-deploy/fleet.js';
import { nodeCreate } from '../../src/commands/node-create/workflow.js';
import { nodeManifest } from '../../src/deploy/node-sites.js';
import { isHealthWait } from './workflow-fakes.js';
import { assertConverges, FaultClock, moments, type Scenario } from './fault-harness.js';
import { World } from './fault-world.js';
import { nodeCreateInput } from './records.js';

const V1 = 'services:\n  web:\n    image: shop:1\n    expose: ["8080"]\n';
const V2 = 'services:\n  web:\n    image: shop:2\n    expose: ["8080"]\n';

const createNode = (world: World, name: string) => nodeCreate(nodeCreateInput(name), world.deps(new FaultClock()));

/** app:deploy as the CLI runs it: plan from state, nodes already on the file reconciled, then the fleet run. */
async function deploy(world: World, clock: FaultClock, text: string, nodes: string[]): Promise<void> {
  const deps = world.deps(clock);
  const file = parseCompose(text, 'shop.yaml');
  const model = appModel(file, () => 'missing');
  const planNode = (state: State, node: string, force = false) =>
    planDeploy(state, { node, app: 'shop', file, model, files: [], hash: composeHash(text), force });
  const selected = deps.tx.state.nodes.filter((n) => nodes.includes(n.name));
  const plan = await reconcileUnchanged(
    planFleet({ app: 'shop', nodes: selected, file, planNode: (n) => planNode(deps.tx.state, n) }),
    deps,
    (n) => planNode(deps.tx.state, n, true),
  );
  if (plan.plans.length === 0) return;
  await fleetDeploy(
    plan,
    { composeText: text, interpolationEnv: '', readAppFile: () => Buffer.alloc(0), entryHealthcheck: false, timeoutMs: 1, parallel: 4 },
    deps,
  );
}

/** One colour runs and holds the alias on each node, the one state calls active (with the asked file); Caddy and manifest from state. */
function assertOneVersion(world: World, hash: string): void {
  const state = world.state;
  for (const node of state.nodes) {
    const host = world.hosts.get(node.ip)!;
    const active = state.deployments.filter((d) => d.node === node.name && d.app === 'shop' && d.status === 'active');
    assert.equal(active.length, 1, `${node.name}: one active deployment`);
    const [d] = active as [(typeof active)[number]];
    assert.equal(d.composeHash, hash, `${node.name}: the version the command asked for`);
    const entry = `${d.project}-${d.entryService}-1`;
    const apps = [...host.containers.values()].filter((c) => c.project.startsWith('shop-'));
    assert.deepEqual(
      apps.filter((c) => c.running).map((c) => c.name),
      [entry],
      `${node.name}: exactly the active colour runs`,
    );
    assert.deepEqual(
      apps.filter((c) => c.edge?.includes(upstreamAlias(d.domain))).map((c) => c.name),
      [entry],
      `${node.name}: only it holds the alias`,
    );
    const caddyfile = caddyfileFor(world.settings, state, node.name);
    assert.equal(host.files.get(LAYOUT.caddyfile), caddyfile, `${node.name}: the Caddyfile state implies`);
    assert.equal(host.caddyLoaded, caddyfile, `${node.name}: Caddy runs it`);
    const manifest = parseManifest(host.files.get(LAYOUT.manifest) ?? 'null');
    assert.deepEqual(
      { ...manifest, updatedAt: '' },
      { ...nodeManifest(node, state.deployments, ''), updatedAt: '' },
      `${node.name}: the manifest is state's`,
    );
  }
}

const scenarios: Scenario[] = [
  {
    command: 'app:deploy (first)',
    setup: async (world) => void (await createNode(world, 'web-1')),
    run: (world, clock) => deploy(world, clock, V1, ['web-1']),
    check: (world) => assertOneVersion(world, composeHash(V1)),
  },
  {
    command: 'app:deploy (redeploy)',
    setup: async (world) => void (await createNode(world, 'web-1'), await deploy(world, new FaultClock(), V1, ['web-1'])),
    run: (world, clock) => deploy(world, clock, V2, ['web-1']),
    check: (world) => assertOneVersion(world, composeHash(V2)),
  },
  {
    command: 'app:deploy (fleet of 2)',
    setup: async (world) =>
      void (await createNode(world, 'web-1'),
      await createNode(world, 'web-2'),
      await deploy(world, new FaultClock(), V1, ['web-1', 'web-2'])),
    run: (world, clock) => deploy(world, clock, V2, ['web-1', 'web-2']),
    check: (world) => assertOneVersion(world, composeHash(V2)),
  },
  {
    command: 'app:rollback',
    async setup(world) {
      await createNode(world, 'web-1');
      await deploy(world, new FaultClock(), V1, ['web-1']);
      await world.time.sleep(5); // deployments are ordered by their creation time
      await deploy(world, new FaultClock(), V2, ['web-1']);
    },
    // As the CLI: the plan from the state as it is now (after a completed switch, V1 is active and V2 is not "before" it).
    async run(world, clock) {
      const deps = world.deps(clock);
      return appRollback({ plan: await planRollbackReconciled(world.state, { node: 'web-1', app: 'shop' }, deps), timeoutMs: 1 }, deps);
    },
    rerunAccepts: (error, world) =>
      error instanceof DyniaError &&
      error.kind === 'input' &&
      world.state.deployments.some((d) => d.status === 'active' && d.composeHash === composeHash(V1)),
    check: (world) => assertOneVersion(world, composeHash(V1)),
  },
];

describe('fault injection: app:deploy and app:rollback interrupted at every moment converge on the first re-run', () => {
  const newWorld = async () => new World();

  test('a clean redeploy reads the node once before acting, then uploads, starts, probes, swaps', async () => {
    const list = await moments(scenarios[1]!, newWorld);
    const ssh = list.filter((m) => m.channel === 'ssh').map((m) => m.label.slice(4, 40));
    assert.match(ssh[1]!, /^sh -c wait_retired\(\) /, 'the reconcile read comes first after connecting');
    assert.deepEqual(
      list.map((m) => `${m.channel} ${m.label.slice(0, 20)}`),
      [
        'ssh ssh connect web-1',
        'ssh ssh sh -c wait_retir',
        'ssh ssh sh -c set -euf\nn',
        'ssh ssh sh -c renice -n ',
        'ssh ssh sh -c docker_get',
        'state state commit',
        'ssh ssh upload /opt/dyni',
        'ssh ssh sh -c docker_api',
        'probe probe https://web-1.',
        'ssh ssh sh -c cat >> "$1',
      ],
      'the upload beside the read (its base recorded by the first deploy); the manifest beside the swap; one state commit',
    );
  });

  test('a version started again (a redeploy into its colour, a rollback) holds no alias until its health check passed', async () => {
    const world = await newWorld();
    await createNode(world, 'web-1');
    await deploy(world, new FaultClock(), V1, ['web-1']);
    await world.time.sleep(5);
    await deploy(world, new FaultClock(), V2, ['web-1']);
    const host = world.hosts.get(world.state.nodes[0]!.ip)!;
    assert.equal(host.containers.get('shop-blue-web-1')!.edge, undefined, 'the retired version left edge, alias and all');
    const atHealthCheck: string[] = [];
    const simulate = host.simulate.bind(host);
    host.simulate = (argv, stdin) => {
      const url = isHealthWait(argv) ? argv.find((a) => a.startsWith('http://')) : undefined;
      if (url) atHealthCheck.push(`${new URL(url).hostname}: ${host.containers.get(new URL(url).hostname)?.edge?.join(',') || 'no alias'}`);
      return simulate(argv, stdin);
    };
    await deploy(world, new FaultClock(), V1, ['web-1']);
    await world.time.sleep(5);
    await appRollback(
      { plan: await planRollbackReconciled(world.state, { node: 'web-1', app: 'shop' }, world.deps(new FaultClock())), timeoutMs: 1 },
      world.deps(new FaultClock()),
    );
    assert.deepEqual(atHealthCheck, ['shop-blue-web-1: no alias', 'shop-green-web-1: no alias']);
    assertOneVersion(world, composeHash(V2));
  });

  for (const scenario of scenarios) {
    test(`${scenario.command}: every moment × every fault converges on the first re-run`, async (t) => {
      const rows = await assertConverges(scenario, newWorld);
      assert.ok(rows.length > 10);
      t.diagnostic(
        `${scenario.command}: ${rows.length} interruptions converged; repaired: ${rows.filter((r) => r.repaired.length).length}`,
      );
    });
  }
});

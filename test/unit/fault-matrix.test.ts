/**
 * The fault-injection tier at unit level: node:create, node:destroy, slb:sync and state:rebuild, each
 * interrupted at every call of a clean run (SIGKILL before / after it, a dropped SSH link, a cloud API answering
 * 429 or 500 or not at all), then run again; the re-run must converge: state parses and matches the cloud and
 * the nodes, nothing is orphaned. `DYNIA_FAULT_MATRIX=<file>` appends the matrix rows to that file.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DyniaError } from '../../src/errors.js';
import { renderCaddyfile } from '../../src/node/caddy/caddyfile.js';
import { LAYOUT } from '../../src/node/layout.js';
import { parseManifest } from '../../src/node/manifest.js';
import { caddyAcme } from '../../src/deploy/caddy-config.js';
import { nodeCreate } from '../../src/commands/node-create/workflow.js';
import { nodeDestroy } from '../../src/commands/node-destroy/workflow.js';
import { nodeManifest, nodeSites } from '../../src/deploy/node-sites.js';
import { HEALTH_CRON, healthPaths, workerBindings } from '../../src/slb/active.js';
import { originCandidates } from '../../src/slb/origins.js';
import { slbSync, type SlbSyncInput } from '../../src/commands/slb-sync/workflow.js';
import { rebuildState } from '../../src/commands/state-rebuild/workflow.js';
import { assertConverges, assertConvergesTwice, FaultClock, moments, type Scenario } from './fault-harness.js';
import { ACCOUNT, World } from './fault-world.js';
import { nodeCreateInput } from './records.js';

const createClean = (world: World, name: string) => nodeCreate(nodeCreateInput(name), world.deps(new FaultClock()));

/** Every node in state is what the cloud and its host say; no droplet or record belongs to no node. */
function assertNodesMatch(world: World): void {
  const { nodes, deployments } = world.state;
  for (const node of nodes) {
    assert.equal(node.status, 'active', `${node.name} is active`);
    const droplets = [...world.droplets.values()].filter((d) => d.name === node.name);
    assert.deepEqual(
      droplets.map((d) => d.id),
      [node.dropletId],
      `${node.name}: exactly the droplet state names`,
    );
    assert.equal(droplets[0]!.networks.v4[0]?.ip_address, node.ip);
    const records = [...world.records.values()].filter((r) => r.name === node.fqdn);
    assert.deepEqual(
      records.map((r) => [r.id, r.content]),
      [[node.dnsRecordId, node.ip]],
      `${node.fqdn}: exactly the record state names`,
    );
    const host = world.hosts.get(node.ip)!;
    assert.equal(node.sshHostKey, host.hostKey);
    const caddyfile = renderCaddyfile({ acme: caddyAcme(world.settings.acme), sites: nodeSites(node, deployments) });
    assert.equal(host.caddyLoaded, caddyfile, `${node.name}: Caddy runs the Caddyfile state implies`);
    assert.equal(host.files.get(LAYOUT.caddyfile), caddyfile);
    assert.ok(host.serves(node.fqdn), `${node.name} serves its FQDN`);
    const firewalls = [...world.firewalls.values()].filter((f) => f.name === `dynia-${node.name}`);
    assert.deepEqual(
      firewalls.map((f) => [f.id, f.droplet_ids]),
      [[node.firewall?.id, [node.dropletId]]],
      `${node.name}: exactly one firewall, the one state names, on its droplet`,
    );
    const manifest = parseManifest(host.files.get(LAYOUT.manifest) ?? 'null');
    assert.deepEqual({ ...manifest, updatedAt: '' }, { ...nodeManifest(node, deployments, ''), updatedAt: '' });
  }
  const ids = new Set(nodes.map((n) => n.dropletId));
  assert.deepEqual(
    [...world.droplets.values()].filter((d) => !ids.has(d.id)).map((d) => `${d.name} (${d.id})`),
    [],
    'no orphaned droplet',
  );
  const recordIds = new Set(nodes.map((n) => n.dnsRecordId));
  assert.deepEqual(
    [...world.records.values()].filter((r) => !recordIds.has(r.id)).map((r) => r.name),
    [],
    'no orphaned DNS record',
  );
  const firewallIds = new Set(nodes.map((n) => n.firewall?.id));
  assert.deepEqual(
    [...world.firewalls.values()].filter((f) => !firewallIds.has(f.id)).map((f) => f.name),
    [],
    'no orphaned firewall',
  );
}

const slbInput: SlbSyncInput = {
  name: 'dynia-slb',
  accountId: ACCOUNT,
  health: true,
  workersDevUrlTemplate: 'https://{script}.{subdomain}.workers.dev',
  dryRun: false,
  allowEmpty: false,
};

const scenarioSlb = (world: World, clock: FaultClock) =>
  slbSync(slbInput, world.deps(clock), {
    loadWorkerCode: async () => 'export default {}',
    health: { concurrency: 4, attempts: 1, retryDelayMs: 0 },
  });

const scenarios: Scenario[] = [
  {
    command: 'node:create',
    async setup() {},
    run: (world, clock) => nodeCreate(nodeCreateInput('web-1'), world.deps(clock)),
    // A kill after the node was recorded active: the node exists, and a second create says so.
    rerunAccepts: (error, world) =>
      error instanceof DyniaError && /already exists/.test(error.message) && world.state.nodes[0]?.status === 'active',
    check: assertNodesMatch,
  },
  {
    command: 'node:destroy',
    setup: async (world) => void (await createClean(world, 'web-1'), await createClean(world, 'web-2')),
    run: (world, clock) => nodeDestroy('web-1', world.deps(clock)),
    rerunAccepts: (error, world) =>
      error instanceof DyniaError && /no node named web-1/.test(error.message) && !world.state.nodes.some((n) => n.name === 'web-1'),
    check(world) {
      assert.deepEqual(
        world.state.nodes.map((n) => n.name),
        ['web-2'],
      );
      assertNodesMatch(world);
    },
  },
  {
    command: 'slb:sync',
    setup: async (world) => void (await createClean(world, 'web-1'), await createClean(world, 'web-2')),
    run: (world, clock) => scenarioSlb(world, clock),
    check(world) {
      const candidates = originCandidates(world.state.nodes);
      const origins = candidates.map((c) => c.origin);
      const script = world.scripts.get('dynia-slb');
      assert.equal(world.kvNamespaces.length, 1, 'one health namespace, never a second');
      assert.deepEqual(
        script?.upload.bindings,
        workerBindings(origins, healthPaths(candidates, origins), world.kvNamespaces[0]!.id),
        'the Worker serves every node',
      );
      assert.deepEqual(world.schedules.get('dynia-slb'), [HEALTH_CRON], 'the origins are probed every minute');
      assert.ok(script.workersDev, 'reachable on workers.dev');
      assert.deepEqual(world.state.slb && { ...world.state.slb, publishedAt: '' }, {
        name: 'dynia-slb',
        url: 'https://dynia-slb.acme.workers.dev',
        origins,
        publishedAt: '',
        codeHash: world.state.slb?.codeHash,
      });
      assertNodesMatch(world);
    },
  },
  {
    // A later sync: the Worker and state.slb exist, one node was added since (the skip-upload paths).
    command: 'slb:sync (a node added)',
    async setup(world) {
      await createClean(world, 'web-1');
      await slbSync(slbInput, world.deps(new FaultClock()), { loadWorkerCode: async () => 'export default {}' });
      await createClean(world, 'web-2');
    },
    run: (world, clock) => scenarioSlb(world, clock),
    check: (world) => scenarios[2]!.check(world),
  },
  {
    command: 'state:rebuild',
    async setup(world) {
      await createClean(world, 'web-1');
      await createClean(world, 'web-2');
      world.lost = world.state;
      world.state = { version: 1, nodes: [], deployments: [] };
    },
    // The CLI writes the rebuilt state (after a backup) once the workflow returns.
    async run(world, clock) {
      const result = await rebuildState(world.state, world.deps(clock));
      await world.tx(clock).commit(() => result.state);
    },
    check(world) {
      const strip = (s: typeof world.state) => s.nodes.map(({ createdAt: _c, stepsDone: _s, ...n }) => n);
      assert.deepEqual(strip(world.state), strip(world.lost!));
      assertNodesMatch(world);
    },
  },
];

describe('fault injection: every moment of every command, then a plain re-run converges', () => {
  const newWorld = async () => new World();

  test('a clean node:create is one droplet, one record and a serving node', async () => {
    const list = await moments(scenarios[0]!, newWorld);
    assert.ok(list.length > 20, `${list.length} moments`);
    assert.deepEqual([...new Set(list.map((m) => m.channel))].sort(), ['cloud-read', 'cloud-write', 'probe', 'ssh', 'state']);
  });

  test('node:destroy of a node whose create was killed right after the droplet call: no droplet is left', async () => {
    const at = (await moments(scenarios[0]!, newWorld)).find((m) => m.label === 'DO POST /v2/droplets')!.n;
    await assertConverges(
      {
        command: 'node:destroy (create killed after its droplet call)',
        async setup(world) {
          await nodeCreate(nodeCreateInput('web-1'), world.deps(new FaultClock({ at, fault: 'kill-after' }))).catch(() => undefined);
          assert.equal(world.state.nodes[0]?.dropletId, undefined, 'the droplet exists but state does not know it');
          assert.equal(world.droplets.size, 1);
        },
        run: (world, clock) => nodeDestroy('web-1', world.deps(clock)),
        rerunAccepts: scenarios[1]!.rerunAccepts!,
        check(world) {
          assert.deepEqual(world.state.nodes, []);
          assertNodesMatch(world);
        },
      },
      newWorld,
    );
  });

  test('state:rebuild after node:create was killed at any moment claims a node active only when it serves', async () => {
    for (const moment of await moments(scenarios[0]!, newWorld)) {
      const world = await newWorld();
      await nodeCreate(nodeCreateInput('web-1'), world.deps(new FaultClock({ at: moment.n, fault: 'kill-before' }))).catch(() => undefined);
      const result = await rebuildState({ version: 1, nodes: [], deployments: [] }, world.deps(new FaultClock()));
      for (const node of result.state.nodes.filter((n) => n.status === 'active')) {
        assert.ok(
          world.hosts.get(node.ip)?.serves(node.fqdn),
          `${moment.step} › ${moment.label}: rebuilt ${node.name} as active but it does not serve`,
        );
      }
    }
  });

  test('killed, then killed again in the re-run: the third run converges (node:create, node:destroy, slb:sync)', async (t) => {
    for (const scenario of scenarios.slice(0, 3)) {
      const tried = await assertConvergesTwice(scenario, newWorld, 3);
      assert.ok(tried >= 5, scenario.command);
      t.diagnostic(`${scenario.command}: ${tried} double interruptions converged`);
    }
  });

  for (const scenario of scenarios) {
    test(`${scenario.command}: every moment × every fault converges on the first re-run`, async (t) => {
      const rows = await assertConverges(scenario, newWorld);
      assert.ok(rows.length > 10);
      t.diagnostic(`${scenario.command}: ${rows.length} interruptions converged`);
    });
  }
});

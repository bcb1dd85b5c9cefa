/**
 * app:deploy against a scripted node: the exact commands of a first deploy, a redeploy, a refused start and a
 * rollback after the swap (the external check is a fake probe: no network).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { composeHash } from './compose-hash.js';
import { appModel } from '../../src/compose/app-model.js';
import { parseCompose } from '../../src/compose/parse.js';
import { DyniaError } from '../../src/errors.js';
import type { ProbeResult } from '../../src/health/probe.js';
import { upstreamAlias } from '../../src/node/caddy/upstream-alias.js';
import { BASE_CHANGED } from '../../src/node/app-sync.js';
import type { RecordingRemote } from '../../src/remote/recording.js';
import { State, type Deployment, type NodeRecord } from '../../src/state/schema.js';
import { appDeploy } from '../../src/commands/app-deploy/workflow.js';
import { planDeploy } from '../../src/commands/app-deploy/plan.js';
import { dryRunReport, renderDryRun } from '../../src/commands/app-deploy/dry-run.js';
import type { WorkflowDeps } from '../../src/lib/ports.js';
import {
  fakeDeps,
  FakeNode,
  isDrain,
  isHealthWait,
  isNiced,
  isObserve,
  isRetire,
  matchesState,
  memoryTx,
  movedAlias,
  shownDrain,
} from './workflow-fakes.js';

const V1 = 'services:\n  web:\n    image: shop:1\n    expose: ["8080"]\n';
const V2 = 'services:\n  web:\n    image: shop:2\n    expose: ["8080"]\n';
const node: NodeRecord = {
  name: 'web-1',
  ip: '203.0.113.10',
  fqdn: 'web-1.example.com',
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'active',
  healthPath: '/healthz',
  caddy: { domain: 'web-1.example.com', target: { service: 'placeholder', port: 8080 } },
  sshHostKey: 'ssh-ed25519 AAAA',
  stepsDone: [],
};
const ALIAS = upstreamAlias('web-1.example.com');

function setup(deployments: Deployment[], probe: (url: string) => Promise<ProbeResult> = async () => ({ ok: true, status: 200, ms: 1 })) {
  const remote = new FakeNode();
  const tx = memoryTx(State.parse({ version: 1, nodes: [node], deployments }));
  const deps = fakeDeps({
    tx,
    settings: { domain: 'example.com', zoneId: 'z', resolvers: [], acme: { ca: 'https://acme.example/dir' }, sshKeyPath: '/k' },
    reporter: { stepStart() {}, stepDone() {}, stepSkipped() {}, info() {}, warn() {} },
    connect: async () => remote,
    probe,
  });
  matchesState(remote, tx, deps.settings, 'web-1');
  return { remote, deps };
}

const planOf = (text: string, state: State) => {
  const file = parseCompose(text, 'shop.yaml');
  return planDeploy(state, {
    node: 'web-1',
    app: 'shop',
    file,
    model: appModel(file, () => 'missing'),
    files: [],
    hash: composeHash(text),
    force: false,
  });
};

const deploy = (text: string, deps: WorkflowDeps, timeoutMs = 5000, entryHealthcheck = false) => {
  const plan = planOf(text, deps.tx.state);
  return appDeploy(
    { plan, composeText: text, interpolationEnv: '', readAppFile: () => Buffer.alloc(0), entryHealthcheck, timeoutMs },
    deps,
  );
};

const isSync = (argv: readonly string[]) => argv[0] === 'sh' && argv[2]?.startsWith('set -euf') === true;

/** Commands without the long file arguments and script bodies, audit appends left out. */
const commands = (remote: RecordingRemote) =>
  remote.calls
    .filter((c) => !(c.kind === 'exec' && c.argv.includes('cat >> "$1"')))
    .map((c) => (c.kind === 'exec' ? shown(c.argv) : `${c.kind} ${c.path}`));

function shown(argv: readonly string[]): string {
  if (isObserve(argv)) return `observe ${argv[4]}${argv[7] ? ` + ${argv[7]}` : ''}`;
  if (isDrain(argv)) return shownDrain(argv);
  if (isNiced(argv)) return `niced ${shown(argv.slice(4))}`;
  if (argv[2]?.includes('docker network connect edge') && argv[2].includes('dev.dynia.restart')) {
    return `join-edge ${/\w+-\w+-web-1/.exec(argv[2])![0]} && restore-restart && docker compose -p ${/docker compose -p (\S+) .*start/s.exec(argv[2])![1]} start`;
  }
  if (isSync(argv)) return `sync ${argv[4]} from ${argv[5] || '-'}`;
  if (isRetire(argv)) return `retire ${argv[4]}`;
  const moved = movedAlias(argv);
  if (moved) return `move-alias ${moved.alias} to ${moved.container}`;
  if (argv[0] === 'sh' && argv[2]?.includes('exec nsenter')) return `in ${argv[4]}: ${shown(argv.slice(5))}`;
  const text = argv[0] === 'sh' && argv[2]?.includes('buildx') ? argv.slice(4).join(' ') : argv.join(' ');
  return text
    .replace(/ (-f|--project-directory|--env-file) '?\S+/g, '')
    .replace(/sh -c (.|\n)* sh http/, 'sh -c <wait> sh http')
    .replace(/sh -c 'for c in (.|\n)*' sh (\S+) &&/, 'restore-restart $2 &&');
}

/** The deployments of the last manifest uploaded to the node. */
function manifestDeployments(remote: RecordingRemote): Deployment[] {
  const last = [...remote.calls].reverse().find((c) => c.kind === 'upload' && c.path === '/opt/dynia/node.json');
  assert.ok(last?.kind === 'upload', 'a manifest was uploaded');
  return JSON.parse(last.content).deployments;
}

const active = (project: string): Deployment => ({
  node: 'web-1',
  app: 'shop',
  project,
  composeHash: composeHash(V1),
  entryService: 'web',
  entryPort: 8080,
  domain: 'web-1.example.com',
  status: 'active',
  createdAt: '2026-01-02T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
});

describe('appDeploy', () => {
  test('first deploy: start beside the placeholder, probe inside edge, take the alias, reload Caddy once', async () => {
    const { remote, deps } = setup([]);
    const result = await deploy(V1, deps);
    assert.deepEqual(commands(remote), [
      'observe shop',
      'sync /opt/dynia/apps/shop-blue from -',
      'niced sh -c docker compose -p shop-blue up -d --no-deps --force-recreate --remove-orphans --pull always web',
      'in dynia-caddy: sh -c <wait> sh http://shop-blue-web-1:8080/healthz 5',
      'upload /opt/dynia/node.json',
      `move-alias ${ALIAS} to shop-blue-web-1`,
      'upload /opt/dynia/proxy/Caddyfile.next',
      'docker exec dynia-caddy caddy validate --config /etc/caddy/Caddyfile.next --adapter caddyfile',
      'docker exec dynia-caddy caddy reload --config /etc/caddy/Caddyfile.next --adapter caddyfile',
      'mv /opt/dynia/proxy/Caddyfile.next /opt/dynia/proxy/Caddyfile',
    ]);
    assert.match(remote.files.get('/opt/dynia/proxy/Caddyfile.next')!, new RegExp(`dynamic a ${ALIAS} 8080`));
    assert.equal(result.deployment.project, 'shop-blue');
    assert.deepEqual(deps.tx.state.nodes[0]!.caddy.target, { service: 'web', port: 8080 });
  });

  test('the upload creates the networks the services share: none for an entry alone (it joins edge only), default beside a db', async () => {
    const netsOf = async (text: string) => {
      const { remote, deps } = setup([]);
      await deploy(text, deps);
      const sync = remote.calls.find((c) => c.kind === 'exec' && isSync(c.argv));
      return sync?.kind === 'exec' ? sync.argv[8] : undefined;
    };
    assert.equal(await netsOf(V1), '');
    assert.equal(
      await netsOf(`${V1}  db:\n    image: pg\n    volumes: ["data:/var/lib/pg"]\nvolumes:\n  data: {}\n`),
      'shop_default bridge',
    );
  });

  test('redeploy: no Caddy reload; the alias moves, Caddy is watched and the previous version stopped in one command', async () => {
    const { remote, deps } = setup([active('shop-blue')]);
    await deploy(V2, deps);
    assert.deepEqual(commands(remote), [
      'observe shop + /opt/dynia/apps/shop-blue/files.json',
      'sync /opt/dynia/apps/shop-green from /opt/dynia/apps/shop-blue',
      'niced sh -c docker compose -p shop-green up -d --no-deps --force-recreate --remove-orphans --pull always web',
      'in dynia-caddy: sh -c <wait> sh http://shop-green-web-1:8080/healthz 5',
      'upload /opt/dynia/node.json',
      `alias ${ALIAS} then drain shop-green-web-1:8080 shop-blue-web-1:8080 then retire shop-blue`,
    ]);
    assert.deepEqual(
      deps.tx.state.deployments.map((d) => `${d.project}:${d.status}`),
      ['shop-blue:superseded', 'shop-green:active'],
    );
  });

  test("a redeploy from the machine that made the running version: its upload goes out beside the reconcile's read, the base's hash checked by the node", async () => {
    const { remote, deps } = setup([active('shop-blue')]);
    const base = JSON.stringify({ hash: 'h1', files: [] });
    await deps.uploads.write('web-1', 'shop-blue', base);
    const events: string[] = [];
    const exec = remote.exec.bind(remote);
    remote.exec = async (argv, options) => {
      if (isSync(argv)) events.push('sync');
      if (!isObserve(argv)) return exec(argv, options);
      // The read answers only once the upload has gone out (or after many turns of the event loop, if it never does).
      for (let turn = 0; turn < 100 && !events.includes('sync'); turn++) await new Promise((r) => setImmediate(r));
      events.push('observe answered');
      return exec(argv, options);
    };
    await deploy(V2, deps);
    assert.deepEqual(events, ['sync', 'observe answered']);
    const syncs = remote.calls.filter((c) => c.kind === 'exec' && isSync(c.argv));
    assert.equal(syncs.length, 1);
    assert.equal(syncs[0]!.kind === 'exec' && syncs[0]!.argv.at(-1), createHash('sha256').update(base).digest('hex'));
    assert.match((await deps.uploads.read('web-1', 'shop-green'))!, /^\{"hash":"[0-9a-f]{64}","files":\[\]\}$/);
  });

  test('a stale record (another machine deployed since): the node refuses it unchanged, the upload is made again from what it read', async () => {
    const { remote, deps } = setup([active('shop-blue')]);
    await deps.uploads.write('web-1', 'shop-blue', JSON.stringify({ hash: 'old', files: [] }));
    remote.on(isSync, { code: BASE_CHANGED }, 1);
    await deploy(V2, deps);
    assert.deepEqual(commands(remote).slice(0, 4), [
      'observe shop + /opt/dynia/apps/shop-blue/files.json',
      'sync /opt/dynia/apps/shop-green from /opt/dynia/apps/shop-blue',
      'sync /opt/dynia/apps/shop-green from /opt/dynia/apps/shop-blue',
      'niced sh -c docker compose -p shop-green up -d --no-deps --force-recreate --remove-orphans --pull always web',
    ]);
    const sums = remote.calls.flatMap((c) => (c.kind === 'exec' && isSync(c.argv) ? [c.argv.at(-1)] : []));
    assert.deepEqual(
      sums.map((sum) => (sum ? 'checked' : 'read')),
      ['checked', 'read'],
    );
  });

  test('a redeploy on a new port: Caddy is reloaded after the alias moved and before the drain, each its own command', async () => {
    const { remote, deps } = setup([active('shop-blue')]);
    await deploy(V2.replace('8080', '9090'), deps);
    assert.deepEqual(commands(remote).slice(4), [
      'upload /opt/dynia/node.json',
      `move-alias ${ALIAS} to shop-green-web-1`,
      'upload /opt/dynia/proxy/Caddyfile.next',
      'docker exec dynia-caddy caddy validate --config /etc/caddy/Caddyfile.next --adapter caddyfile',
      'docker exec dynia-caddy caddy reload --config /etc/caddy/Caddyfile.next --adapter caddyfile',
      'mv /opt/dynia/proxy/Caddyfile.next /opt/dynia/proxy/Caddyfile',
      'drain shop-green-web-1:9090 shop-blue-web-1:8080 then retire shop-blue',
    ]);
  });

  /** What a redeploy does around its external check: the check's connection, the old version's stop, the probe. */
  async function checkOrder(drainStdout: string): Promise<string[]> {
    const seen: string[] = [];
    const { remote, deps } = setup([active('shop-blue')], async () => {
      seen.push('probe');
      return { ok: true, status: 200, ms: 1 };
    });
    remote.drainAnswer = { stdout: drainStdout };
    deps.preconnect = (url) => seen.push(`connection to ${url} opened`);
    const exec = remote.exec.bind(remote);
    remote.exec = async (argv, options) => {
      const result = await exec(argv, options);
      if (isRetire(argv)) seen.push('stopped');
      return result;
    };
    await deploy(V2, deps);
    return seen;
  }

  test("the external check asked as soon as the old version's door is shut, beside the rest of the drain, and once", async () => {
    assert.deepEqual(await checkOrder('drained new 2\ndoor shut\nold idle 1\n'), [
      'connection to https://web-1.example.com/healthz opened',
      'probe',
      'stopped',
    ]);
  });

  test('without a shut door the old version has stopped before the external check (it holds the alias until then)', async () => {
    assert.deepEqual(await checkOrder('drained new 2\nold idle 1\n'), [
      'connection to https://web-1.example.com/healthz opened',
      'stopped',
      'probe',
    ]);
  });

  test("the old version's stop failing after the drain: the deploy rolls back to it", async () => {
    const { remote, deps } = setup([active('shop-blue')]);
    // The stop runs in the drain command, after its verdict.
    remote.drainAnswer = { code: 1, stdout: 'drained new 2\nold idle 1\n', stderr: 'Error response from daemon: boom' };
    await assert.rejects(
      deploy(V2, deps),
      (e: unknown) => e instanceof DyniaError && /boom/.test(e.message) && /Rolled back: the previous version shop-blue/.test(e.message),
    );
    assert.deepEqual(
      deps.tx.state.deployments.map((d) => `${d.project}:${d.status}`),
      ['shop-blue:active', 'shop-green:failed'],
    );
  });

  test('an app that never gets healthy: its logs in the error, the project removed, routing untouched, the failure in the manifest', async () => {
    const { remote, deps } = setup([active('shop-blue')]);
    remote.on(isHealthWait, {
      code: 1,
      stderr: "wget: can't connect to remote host: Connection refused",
    });
    remote.on((argv) => argv.includes('logs'), { stdout: 'web-1  | listening on :9999\n' });
    await assert.rejects(
      deploy(V2, deps),
      (e: unknown) =>
        e instanceof DyniaError && e.kind === 'health' && /Connection refused/.test(e.message) && /listening on :9999/.test(e.message),
    );
    assert.deepEqual(commands(remote).slice(4), [
      'docker compose -p shop-green logs --tail 30 web',
      'docker compose -p shop-green down',
      'upload /opt/dynia/node.json',
    ]);
    assert.deepEqual(
      deps.tx.state.deployments.map((d) => `${d.project}:${d.status}`),
      ['shop-blue:active', 'shop-green:failed'],
    );
    assert.deepEqual(
      manifestDeployments(remote).map((d) => `${d.project}:${d.status}`),
      ['shop-blue:active', 'shop-green:failed'],
    );
  });

  test("an image the node cannot pull: named with compose's reason and the fix, the command line left out", async () => {
    const { remote, deps } = setup([active('shop-blue')]);
    remote.on(isNiced, {
      code: 18,
      stderr:
        ' web Pulling \n web Error manifest for shop:2 not found: manifest unknown: manifest unknown\nError response from daemon: manifest for shop:2 not found: manifest unknown: manifest unknown\n',
    });
    await assert.rejects(deploy(V2, deps), (e: unknown) => {
      assert.ok(e instanceof DyniaError);
      assert.equal(e.kind, 'remote');
      assert.equal(
        e.message,
        '[Build and start shop-green] the node could not pull the image of web (shop:2) on web-1: manifest for shop:2 not found: manifest unknown: manifest unknown',
      );
      assert.equal(
        e.hint,
        'Check the image name and tag (shop:2) in the compose file; a private image needs the node logged in to its registry (docker login on the node). The running version keeps serving.',
      );
      return true;
    });
    assert.deepEqual(commands(remote).slice(-2), ['docker compose -p shop-green down', 'upload /opt/dynia/node.json']);
    assert.deepEqual(
      deps.tx.state.deployments.map((d) => `${d.project}:${d.status}`),
      ['shop-blue:active', 'shop-green:failed'],
    );
  });

  test('a failed job (a migration the entry waits for): its log read before the new project goes, in the error', async () => {
    const { remote, deps } = setup([active('shop-blue')]);
    remote.on(isNiced, { code: 1, stderr: 'service "migrate" didn\'t complete successfully: exit 3\n' });
    remote.on((argv) => argv.includes('logs'), { code: 0, stdout: 'migrate-1  | ERROR: column "total" already exists\n' });
    const text = `${V2}    depends_on:\n      migrate: {condition: service_completed_successfully}\n  migrate:\n    image: shop:2\n`;
    await assert.rejects(deploy(text, deps), (e: unknown) => {
      assert.ok(e instanceof DyniaError);
      assert.equal(
        e.message,
        '[Build and start shop-green] the job migrate failed on web-1 (exit 3), so the services that wait for it were not started\n--- last lines of its log ---\nmigrate-1  | ERROR: column "total" already exists',
      );
      return true;
    });
    assert.deepEqual(commands(remote).slice(-3), [
      'docker compose -p shop-green logs --tail 30 migrate',
      'docker compose -p shop-green down',
      'upload /opt/dynia/node.json',
    ]);
  });

  test('Caddy never dialing the new version: the old one is not stopped, the deploy rolls back', async () => {
    const { remote, deps } = setup([active('shop-blue')]);
    remote.drainAnswer = { code: 75, stderr: '[{"address":"172.18.0.4:8080","num_requests":5,"fails":0}]\n' };
    await assert.rejects(
      deploy(V2, deps),
      (e: unknown) =>
        e instanceof DyniaError &&
        /did not send requests to shop-green-web-1 within 10 s; its upstreams in flight: 172\.18\.0\.4:8080 \(5 in flight\)/.test(
          e.message,
        ) &&
        /Rolled back: the previous version shop-blue/.test(e.message),
    );
    assert.deepEqual(commands(remote).slice(4), [
      'upload /opt/dynia/node.json',
      `alias ${ALIAS} then drain shop-green-web-1:8080 shop-blue-web-1:8080 then retire shop-blue`,
      'join-edge shop-blue-web-1 && restore-restart && docker compose -p shop-blue start',
      'in dynia-caddy: sh -c <wait> sh http://shop-blue-web-1:8080/healthz 5',
      `move-alias ${ALIAS} to shop-blue-web-1`,
      'docker compose -p shop-green down',
      'upload /opt/dynia/node.json',
    ]);
    assert.deepEqual(
      deps.tx.state.deployments.map((d) => `${d.project}:${d.status}`),
      ['shop-blue:active', 'shop-green:failed'],
    );
  });

  test('a failed external check rolls back: the previous version starts again, the new one is removed', async () => {
    const { remote, deps } = setup([active('shop-blue')], async () => ({ ok: false, status: 502, ms: 1 }));
    await assert.rejects(
      deploy(V2, deps, 600),
      (e: unknown) =>
        e instanceof DyniaError && /Rolled back: the previous version shop-blue serves web-1\.example\.com again/.test(e.message),
    );
    assert.deepEqual(commands(remote).slice(4), [
      'upload /opt/dynia/node.json',
      `alias ${ALIAS} then drain shop-green-web-1:8080 shop-blue-web-1:8080 then retire shop-blue`,
      'join-edge shop-blue-web-1 && restore-restart && docker compose -p shop-blue start',
      'in dynia-caddy: sh -c <wait> sh http://shop-blue-web-1:8080/healthz 1',
      `move-alias ${ALIAS} to shop-blue-web-1`,
      'docker compose -p shop-green down',
      'upload /opt/dynia/node.json',
    ]);
    assert.deepEqual(
      deps.tx.state.deployments.map((d) => `${d.project}:${d.status}`),
      ['shop-blue:active', 'shop-green:failed'],
    );
  });

  test('an app of images only starts without asking which builder the node has', async () => {
    const { remote, deps } = setup([]);
    await deploy(V1, deps);
    const start = remote.calls.find((c) => c.kind === 'exec' && isNiced(c.argv));
    assert.ok(start && start.kind === 'exec' && start.argv.join(' ').includes(' up -d '));
    assert.ok(!start.argv.join(' ').includes('buildx'));
  });

  test("an entry with a compose healthcheck: Docker's healthy is waited for before the HTTP probe, in the same command", async () => {
    const { remote, deps } = setup([]);
    await deploy(V1, deps, 5000, true);
    const gate = remote.calls.find((c) => c.kind === 'exec' && c.argv.join(' ').includes('State.Health'));
    assert.ok(gate && gate.kind === 'exec');
    const script = gate.argv[2]!;
    assert.ok(script.indexOf('State.Health') < script.indexOf('wget'), 'healthy first, then the HTTP check');
    assert.match(script, /shop-blue-web-1 5 && sh -c 'docker_get\(\) .*' sh dynia-caddy sh -c /s);
  });
});

test('--dry-run lists a job apart: it runs once, to completion, before what waits for it', () => {
  const text = `${V2}    depends_on:\n      migrate: {condition: service_completed_successfully}\n  migrate:\n    image: shop:2\n`;
  const plan = planOf(text, State.parse({ version: 1, nodes: [node], deployments: [] }));
  const report = dryRunReport(plan, [], []);
  assert.deepEqual([report.sideBySide, report.jobs], [['web', 'migrate'], ['migrate']]);
  assert.deepEqual(renderDryRun(report).split('\n').slice(3, 5), [
    'side by side during the swap: web, migrate',
    'jobs (each runs once, to completion, before the services that wait for it): migrate',
  ]);
});

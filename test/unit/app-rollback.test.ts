/**
 * app:rollback against a scripted node: what it refuses before touching anything, and how a failure after the
 * switch is undone (the external check fails fast: its resolver is a closed loopback port).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { composeHash } from './compose-hash.js';
import { DyniaError } from '../../src/errors.js';
import { upstreamAlias } from '../../src/node/caddy/upstream-alias.js';
import { shellQuote } from '../../src/remote/quote.js';
import { State, type Deployment, type NodeRecord } from '../../src/state/schema.js';
import { appRollback } from '../../src/commands/app-rollback/workflow.js';
import { fakeDeps, FakeNode, isDrain, isHealthWait, matchesState, memoryTx, shownDrain } from './workflow-fakes.js';
import { planRollback } from '../../src/commands/app-rollback/plan.js';

const V1 = 'services:\n  web:\n    image: dynia-examples/hello:1\n';
const V2 = 'services:\n  web:\n    image: dynia-examples/hello:2\n';
const node: NodeRecord = {
  name: 'web-1',
  ip: '10.0.0.1',
  fqdn: 'web-1.example.com',
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'active',
  healthPath: '/healthz',
  caddy: { domain: 'web-1.example.com', target: { service: 'web', port: 8080 } },
  sshHostKey: 'ssh-ed25519 AAAA',
  stepsDone: [],
};
const deployment = (project: string, text: string, status: Deployment['status'], at: string): Deployment => ({
  node: 'web-1',
  app: 'hello',
  project,
  composeHash: composeHash(text),
  entryService: 'web',
  entryPort: 8080,
  domain: 'web-1.example.com',
  status,
  createdAt: at,
  updatedAt: at,
});
const initial = (): State =>
  State.parse({
    version: 1,
    nodes: [node],
    deployments: [
      deployment('hello-blue', V1, 'superseded', '2026-01-02T00:00:00.000Z'),
      deployment('hello-green', V2, 'active', '2026-01-03T00:00:00.000Z'),
    ],
  });

const ALIAS = upstreamAlias('web-1.example.com');
const networks = (aliases: string[]) => ({ stdout: JSON.stringify({ edge: { Aliases: aliases, DNSNames: [] } }) });

function scriptedNode(): FakeNode {
  const remote = new FakeNode('10.0.0.1');
  remote.files.set('/opt/dynia/apps/hello-blue/files.json', JSON.stringify({ hash: composeHash(V1), files: [] }));
  remote.on((argv) => argv.includes('ps') && argv.includes('--all'), {
    stdout: '{"Name":"hello-blue-web-1","Service":"web","State":"exited","Health":"","ExitCode":0}\n',
  });
  remote.on((argv) => argv[1] === 'inspect', networks([ALIAS]));
  return remote;
}

function deps(remote: FakeNode, tx = memoryTx(initial())) {
  const lines: string[] = [];
  const d = fakeDeps({
    tx,
    settings: {
      domain: 'example.com',
      zoneId: 'z',
      resolvers: [{ host: '127.0.0.1', port: 1 }],
      acme: { ca: 'https://acme.example/dir' },
      sshKeyPath: '/k',
    },
    reporter: {
      stepStart() {},
      stepDone: (t: string) => lines.push(`done ${t}`),
      stepSkipped() {},
      info() {},
      warn: (m: string) => lines.push(`warn ${m}`),
    },
    connect: async () => remote,
    // The public URL never answers here: the external health check fails (after its timeout, in virtual time).
    probe: async (url) => ({ ok: false, ms: 1, error: `${new URL(url).hostname}: connection refused` }),
  });
  matchesState(remote, tx, d.settings, 'web-1');
  return { deps: d, lines };
}

/** Retire/revive scripts and alias moves by name, file arguments left out. */
const norm = (c: string) => {
  const project = /docker compose -p (\S+)/.exec(c)?.[1];
  if (c.includes('"RestartPolicy":{"Name":"no"}')) return `retire ${c.split(' ').at(-2)}`;
  const joined = c.includes('docker network connect edge') ? /\w+-\w+-web-1/.exec(c) : null;
  if (joined && !c.includes('dev.dynia.restart')) return `join-edge ${joined[0]}`;
  if (joined) return `join-edge ${joined[0]} && revive ${project}`;
  if (c.includes('dev.dynia.restart')) return `revive ${project}`;
  const moved = /"Container":"([^"]+)","EndpointConfig":\{"Aliases":\["([^"]+)"\]/.exec(c);
  if (moved) return `move-alias ${moved[2]} to ${moved[1]}`;
  return c.replace(/ (-f|--project-directory|--env-file) \S+/g, '');
};

/** Every executed command as shell text, a drain shown as `drain <new> <old> then <its stop, normalized>`. */
const shownCommands = (remote: FakeNode) =>
  remote.calls.flatMap((c) => (c.kind !== 'exec' ? [] : [isDrain(c.argv) ? shownDrain(c.argv) : shellQuote(c.argv)]));

const audits = (remote: FakeNode) =>
  remote.calls.flatMap((c) => (c.kind === 'exec' && c.argv.includes('cat >> "$1"') ? [JSON.parse(c.stdin!)] : []));

describe('appRollback', () => {
  test('a project whose directory holds another compose file is refused before anything starts', async () => {
    const remote = scriptedNode();
    remote.files.set('/opt/dynia/apps/hello-blue/files.json', JSON.stringify({ hash: composeHash('services: {}\n'), files: [] }));
    const { deps: d } = deps(remote);
    const plan = planRollback(d.tx.state, { node: 'web-1' });
    await assert.rejects(
      appRollback({ plan, timeoutMs: 1000 }, d),
      (e: unknown) => e instanceof DyniaError && e.kind === 'input' && /another version/.test(e.message),
    );
    assert.deepEqual(
      // The reconcile's read aside (it defines the Engine API's readers), nothing that starts, stops or joins.
      remote.commands.filter((c) => !c.includes('--- caddyfile') && /start|stop|network/.test(c)),
      [],
    );
    assert.deepEqual(d.tx.state, initial());
    assert.deepEqual(
      audits(remote).map((a) => [a.command, a.result]),
      [['app:rollback', 'failed']],
    );
    assert.equal(remote.closed, true);
  });

  test("the external check asked once the running version's door is shut: one probe, beside the drain", async () => {
    const remote = scriptedNode();
    remote.drainAnswer = { stdout: 'drained new 2\ndoor shut\nold idle 1\n' };
    const { deps: d } = deps(remote);
    let probes = 0;
    d.probe = async () => (probes++, { ok: true, status: 200, ms: 1 });
    const said: string[] = [];
    d.reporter = { ...d.reporter, stepDone: (title, _ms, detail) => said.push(`${title}: ${detail}`) };
    await appRollback({ plan: planRollback(d.tx.state, { node: 'web-1' }), timeoutMs: 1000 }, d);
    assert.equal(probes, 1);
    assert.ok(
      said.includes("Check https://web-1.example.com/healthz: HTTP 200 (asked beside the drain, once the old version's door was shut)"),
      said.join('\n'),
    );
  });

  test('an old version that does not become healthy is stopped again; nothing else changes', async () => {
    const remote = scriptedNode().on(isHealthWait, {
      code: 1,
      stderr: 'wget: server returned error: HTTP/1.1 500',
    });
    const { deps: d } = deps(remote);
    const plan = planRollback(d.tx.state, { node: 'web-1' });
    await assert.rejects(
      appRollback({ plan, timeoutMs: 1000 }, d),
      (e: unknown) => e instanceof DyniaError && e.kind === 'health' && /HTTP\/1\.1 500/.test(e.message),
    );
    const commands = remote.commands.filter((c) =>
      /compose .*(start|stop)|network (dis)?connect|networks\/edge\/connect|RestartPolicy/.test(c),
    );
    assert.deepEqual(commands.map(norm), ['join-edge hello-blue-web-1 && revive hello-blue', 'retire hello-blue']);
    assert.deepEqual(d.tx.state, initial());
  });

  test('a failure after the switch is undone: the running version serves again, state and manifest as before', async () => {
    const remote = scriptedNode();
    const { deps: d, lines } = deps(remote);
    const plan = planRollback(d.tx.state, { node: 'web-1' });
    await assert.rejects(
      appRollback({ plan, timeoutMs: 1000 }, d),
      (e: unknown) =>
        e instanceof DyniaError && e.kind === 'health' && /Undone: web-1\.example\.com is served by hello-green again\./.test(e.message),
    );
    const commands = shownCommands(remote)
      .filter((c) => /compose .*(start|stop)|network (dis)?connect|networks\/edge\/connect|caddy reload|RestartPolicy|^drain /.test(c))
      .map(norm);
    assert.deepEqual(commands, [
      'join-edge hello-blue-web-1 && revive hello-blue',
      `move-alias ${ALIAS} to hello-blue-web-1`,
      'drain hello-blue-web-1:8080 hello-green-web-1:8080 then retire hello-green',
      'join-edge hello-green-web-1 && revive hello-green',
      `move-alias ${ALIAS} to hello-green-web-1`,
      'drain hello-green-web-1:8080 hello-blue-web-1:8080 then retire hello-blue',
    ]);
    assert.deepEqual(d.tx.state, initial(), 'the deployments and the node are as before');
    const manifest = JSON.parse(remote.files.get('/opt/dynia/node.json')!);
    assert.deepEqual(
      manifest.deployments.map((x: Deployment) => `${x.project}:${x.status}`),
      ['hello-blue:superseded', 'hello-green:active'],
    );
    assert.ok(lines.some((l) => l.startsWith('warn rollback failed after the switch: ')));
    const [audit] = audits(remote);
    assert.deepEqual(
      { command: audit.command, args: audit.args, result: audit.result },
      {
        command: 'app:rollback',
        args: { node: 'web-1', app: 'hello', domain: 'web-1.example.com', from: 'hello-green', to: 'hello-blue' },
        result: 'failed',
      },
    );
  });

  test('during the undo, a running version that lost its alias gets it back', async () => {
    // The first matching rule answers: green's inspect (no alias) goes ahead of the generic one.
    const remote = new FakeNode('10.0.0.1');
    remote.files.set('/opt/dynia/apps/hello-blue/files.json', JSON.stringify({ hash: composeHash(V1), files: [] }));
    remote.on((argv) => argv[1] === 'inspect' && argv.at(-1) === 'hello-green-web-1', networks(['hello-green-web-1']));
    remote.on((argv) => argv.includes('ps') && argv.includes('--all'), {
      stdout: '{"Name":"hello-blue-web-1","Service":"web","State":"exited"}\n',
    });
    remote.on((argv) => argv[1] === 'inspect', networks([ALIAS]));
    const { deps: d } = deps(remote);
    await assert.rejects(appRollback({ plan: planRollback(d.tx.state, { node: 'web-1' }), timeoutMs: 1000 }, d));
    assert.ok(remote.commands.map(norm).includes(`move-alias ${ALIAS} to hello-green-web-1`));
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DyniaError } from '../../src/errors.js';
import { State, type Deployment, type NodeRecord } from '../../src/state/schema.js';
import { appRemove, planRemove } from '../../src/commands/app-remove/workflow.js';
import { collectNodes, nodeNames, parallelism, selectNodes } from '../../src/deploy/node-selection.js';
import { fakeDeps, FakeNode, memoryTx } from './workflow-fakes.js';

const node = (name: string, status: NodeRecord['status'] = 'active'): NodeRecord => ({
  name,
  ip: '203.0.113.1',
  fqdn: `${name}.example.com`,
  createdAt: '2026-01-01T00:00:00.000Z',
  status,
  healthPath: '/',
  caddy: { domain: `${name}.example.com`, target: { service: 'web', port: 8080 } },
  sshHostKey: 'ssh-ed25519 AAAA',
  stepsDone: [],
});
const d = (n: string, project: string, status: Deployment['status'], app = 'shop'): Deployment => ({
  node: n,
  app,
  project,
  composeHash: 'a'.repeat(64),
  entryService: 'web',
  entryPort: 8080,
  domain: `${n}.example.com`,
  status,
  createdAt: '2026-01-02T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
});

test('app:remove: routing back to the placeholder first, then both colours down, files removed, state and manifest updated', async () => {
  const remote = new FakeNode().on(['sh', '-c'], {
    stdout: 'shop_db\nshop_admin_db\nshop-blue_cache\napi_db\n---\nbridge\nedge\nshop_default\n---\n/opt/dynia/data/shop\n',
  });
  remote.files.set('/opt/dynia/proxy/Caddyfile', 'old');
  const state = State.parse({
    version: 1,
    nodes: [node('a')],
    deployments: [
      d('a', 'shop-blue', 'superseded'),
      d('a', 'shop-green', 'active'),
      d('a', 'api-blue', 'active', 'api'),
      d('b', 'shop_admin-blue', 'active', 'shop_admin'),
    ],
  });
  state.deployments[2]!.domain = 'api.example.com';
  const deps = fakeDeps({
    tx: memoryTx(state),
    settings: { domain: 'example.com', zoneId: 'z', resolvers: [], acme: { ca: 'https://acme.example/dir' }, sshKeyPath: '/k' },
    reporter: { stepStart() {}, stepDone() {}, stepSkipped() {}, info() {}, warn() {} },
    connect: async () => remote,
  });
  const [result] = await appRemove(planRemove(deps.tx.state, { app: 'shop', nodes: 'all', volumes: false }), deps);
  assert.deepEqual(
    remote.commands
      .filter((c) => !c.includes('cat >>'))
      .map((c) => c.replace(/^sh -c '.*wait_retired "\$1"; shift; exec "\$@"' sh \/run\/dynia\/retiring\/(\S+) /s, 'after-retire $1: ')),
    [
      'docker exec dynia-caddy caddy validate --config /etc/caddy/Caddyfile.next --adapter caddyfile',
      'docker exec dynia-caddy caddy reload --config /etc/caddy/Caddyfile.next --adapter caddyfile',
      'mv /opt/dynia/proxy/Caddyfile.next /opt/dynia/proxy/Caddyfile',
      'sh -c \'docker volume ls --quiet; echo ---; docker network ls --format "{{.Name}}"; echo ---; [ ! -d "$1" ] || echo "$1"\' sh /opt/dynia/data/shop',
      'after-retire shop-blue: docker compose -p shop-blue down --remove-orphans',
      'after-retire shop-data: docker compose -p shop-data down --remove-orphans',
      'after-retire shop-green: docker compose -p shop-green down --remove-orphans',
      'docker network rm shop_default',
      'rm -rf /opt/dynia/apps/shop-blue /opt/dynia/apps/shop-data /opt/dynia/apps/shop-green',
    ],
  );
  assert.match(remote.files.get('/opt/dynia/proxy/Caddyfile.next')!, /a\.example\.com \{[^}]*dynamic a dynia-placeholder 8080/);
  assert.deepEqual(result, {
    node: 'a',
    fqdn: 'a.example.com',
    projects: ['shop-blue', 'shop-data', 'shop-green'],
    domains: ['a.example.com'],
    volumes: ['shop_db', 'shop-blue_cache'],
    dataDir: '/opt/dynia/data/shop',
    volumesRemoved: false,
  });
  assert.deepEqual(
    deps.tx.state.deployments.map((x) => x.project),
    ['api-blue', 'shop_admin-blue'],
    'the other apps are untouched',
  );
  assert.deepEqual(deps.tx.state.nodes[0]!.caddy.target, { service: 'placeholder', port: 8080 });
  assert.deepEqual(
    JSON.parse(remote.files.get('/opt/dynia/node.json')!).deployments.map((x: Deployment) => x.project),
    ['api-blue'],
  );
  const audit = remote.calls.flatMap((c) => (c.kind === 'exec' && c.argv.includes('cat >> "$1"') ? [c.stdin!] : []));
  assert.match(audit.join(''), /"command":"app:remove".*"result":"ok"/);
});

test("app:remove --volumes: the app's volumes and its data directory go too", async () => {
  const remote = new FakeNode().on(['sh', '-c'], { stdout: 'shop_db\nother_db\n---\nedge\n---\n' });
  const deps = fakeDeps({
    tx: memoryTx(State.parse({ version: 1, nodes: [node('a')], deployments: [d('a', 'shop-blue', 'active')] })),
    settings: { domain: 'example.com', zoneId: 'z', resolvers: [], acme: { ca: 'https://acme.example/dir' }, sshKeyPath: '/k' },
    reporter: { stepStart() {}, stepDone() {}, stepSkipped() {}, info() {}, warn() {} },
    connect: async () => remote,
  });
  const [result] = await appRemove(planRemove(deps.tx.state, { app: 'shop', nodes: 'all', volumes: true }), deps);
  assert.deepEqual(
    remote.commands.filter((c) => /^(docker volume|rm )/.test(c)),
    ['docker volume rm shop_db', 'rm -rf /opt/dynia/apps/shop-blue /opt/dynia/apps/shop-data /opt/dynia/data/shop'],
  );
  assert.deepEqual([result!.volumes, result!.volumesRemoved, result!.dataDir], [['shop_db'], true, undefined]);
});

test('app:remove refuses a node the app is not on, naming it, before any change', () => {
  const state = State.parse({ version: 1, nodes: [node('a'), node('b')], deployments: [d('a', 'shop-blue', 'active')] });
  assert.throws(
    () => planRemove(state, { app: 'shop', nodes: [state.nodes[1]!], volumes: false }),
    /app shop is not on b; nothing was changed/,
  );
  assert.throws(() => planRemove(state, { app: 'nope', nodes: 'all', volumes: false }), /not deployed on any node/);
});

test('node selection: repeated and comma lists, --all, and refusals that name the node', () => {
  assert.deepEqual(
    ['a,b', 'c', 'a'].reduce((acc: string[], v) => collectNodes(v, acc), []),
    ['a', 'b', 'c', 'a'],
  );
  assert.deepEqual(nodeNames({ node: ['a', 'b', 'a'] }, 'app:deploy'), ['a', 'b']);
  assert.equal(nodeNames({ all: true }, 'app:deploy'), 'all');
  assert.throws(() => nodeNames({ node: ['a'], all: true }, 'app:deploy'), /not both/);
  assert.throws(() => nodeNames({}, 'app:deploy'), /which nodes/);
  assert.throws(
    () => nodeNames({ node: ['Web_1'] }, 'app:deploy'),
    (e: unknown) => e instanceof DyniaError && e.kind === 'input' && /--node "Web_1"/.test(e.message),
  );
  const state = State.parse({ version: 1, nodes: [node('a'), node('b', 'creating'), node('c')], deployments: [] });
  assert.deepEqual(
    selectNodes(state, 'all', 'app:deploy').map((n) => n.name),
    ['a', 'c'],
  );
  assert.deepEqual(
    selectNodes(state, ['c', 'a'], 'app:deploy').map((n) => n.name),
    ['c', 'a'],
  );
  assert.throws(() => selectNodes(state, ['a', 'x'], 'app:deploy'), /--node x: no such node in state \(known: a, b, c\)/);
  assert.throws(() => selectNodes(state, ['b'], 'app:deploy'), /--node b is not ready \(status creating\)\.$/);
  assert.equal(parallelism(undefined), 4);
  assert.throws(() => parallelism('0'), /--parallel "0"/);
});

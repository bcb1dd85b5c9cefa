/**
 * One app on two nodes, on the sandbox: fleet deploys (all or nothing before the swap, each node with its own
 * health path), the release step counted on the nodes, and app:list, app:exec, app:remove.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startLoad } from '../../bench/lib.js';
import { cli, destroyNodes, httpsGet, newStateDir, readState, pushHello, skipReason, ssh } from './helpers.js';

const skip = skipReason();
const files = mkdtempSync(join(tmpdir(), 'dynia-fleet-'));
const A = 'fleet-a';
const B = 'fleet-b';

/** The app: the hello image, a named volume, and a release step that appends a line to a marker in it. */
function app(name: string, opts: { version: number; command?: string; release?: string }): string {
  const lines = [
    'services:',
    '  web:',
    `    image: dynia-examples/hello:${opts.version}`,
    '    init: true',
    '    expose: ["8080"]',
    '    volumes: ["data:/data"]',
    ...(opts.command ? [`    command: ["sh", "-c", ${JSON.stringify(opts.command)}]`] : []),
    '    labels:',
    // Two copies of the entry may share the marker volume for the seconds of a swap.
    '      dynia.data: "false"',
    `      dynia.release: ${JSON.stringify(opts.release ?? "sh -c 'echo released >> /data/releases; echo migration done'")}`,
    'volumes:',
    '  data: {}',
  ];
  const path = join(files, `${name}.yaml`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('fleet: one app on two nodes', { skip }, () => {
  const stateDir = newStateDir();
  const ips: Record<string, string> = {};
  const deploy = (...args: string[]) => cli(['app:deploy', '--name', 'hello', ...args], { stateDir });
  const body = async (node: string) => (await httpsGet(`https://${node}.dynia.test/`, { ip: ips[node]! })).body.trim();
  /** Lines the release step wrote, over every volume of both nodes. */
  const releases = async () => {
    let n = 0;
    for (const ip of Object.values(ips))
      n += Number((await ssh(ip, 'cat /var/lib/docker/volumes/*/_data/releases 2>/dev/null | wc -l')).stdout.trim());
    return n;
  };

  before(async () => {
    await pushHello(1, 3);
    for (const args of [
      ['--name', A],
      ['--name', B, '--health-path', '/healthz'],
    ]) {
      const r = await cli(['node:create', ...args], { stateDir });
      assert.equal(r.code, 0, r.stderr);
    }
    for (const n of readState(stateDir).nodes) ips[n.name] = n.ip;
    assert.deepEqual(
      readState(stateDir)
        .nodes.map((n: any) => `${n.name}:${n.healthPath}:${n.status}`)
        .sort(),
      [`${A}:/:active`, `${B}:/healthz:active`],
    );
  });
  after(async () => destroyNodes(stateDir, [A, B]));

  test('a fleet deploy of v1 puts v1 on both nodes; the release step ran once', async () => {
    const r = await deploy('--node', `${A},${B}`, '--compose', app('v1', { version: 1 }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /migration done/);
    assert.match(r.stderr, new RegExp(`✓ ${A} +deployed +hello-blue`));
    assert.match(r.stderr, new RegExp(`✓ ${B} +deployed +hello-blue`));
    assert.deepEqual([await body(A), await body(B)], ['hello from dynia example v1', 'hello from dynia example v1']);
    assert.equal(await releases(), 1);
  });

  test('a v2 healthy on one node only: refused naming the other, nothing swapped, both still serve v1', async () => {
    const v2 = app('v2', { version: 1, command: 'rm /www/healthz; echo v2 > /www/index.html; exec httpd -f -p 8080 -h /www' });
    const r = await deploy('--node', A, '--node', B, '--compose', v2, '--timeout', '4s');
    assert.equal(r.code, 6, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `No node swapped: ${B} failed before the swap:\\n  ${B}: \\[Wait for http://hello-green-web-1:8080/healthz inside edge\\].*404`,
      ),
    );
    assert.match(r.stderr, new RegExp(`· ${A} +discarded`));
    assert.deepEqual([await body(A), await body(B)], ['hello from dynia example v1', 'hello from dynia example v1']);
    for (const ip of Object.values(ips))
      assert.doesNotMatch((await ssh(ip, 'docker ps -a --format "{{.Names}}"')).stdout, /hello-green/, 'each new version removed');
    assert.equal(await releases(), 1, 'the release step does not run before every node is ready');
  });

  test('a good v3 with --all reaches both nodes with 0 failed requests under steady HTTPS load', async (t) => {
    const stop = startLoad({ url: `https://${A}.dynia.test/`, ip: ips[A]!, connections: 8, expect: /hello from dynia example v[13]/ });
    await new Promise((r) => setTimeout(r, 1000));
    const r = await deploy('--all', '--compose', app('v3', { version: 3 }));
    await new Promise((r) => setTimeout(r, 1000));
    const samples = await stop();
    assert.equal(r.code, 0, r.stderr);
    const failed = samples.filter((s) => !s.ok);
    t.diagnostic(`${samples.length} requests to ${A} during the fleet deploy, ${failed.length} failed`);
    assert.ok(samples.length > 200, `${samples.length} requests`);
    assert.equal(
      failed.length,
      0,
      `${failed.length} of ${samples.length} failed: ${failed
        .slice(0, 3)
        .map((s) => s.error)
        .join('; ')}`,
    );
    assert.deepEqual([await body(A), await body(B)], ['hello from dynia example v3', 'hello from dynia example v3']);
    assert.equal(await releases(), 2, 'once per fleet deploy');
    const again = await deploy('--all', '--compose', join(files, 'v3.yaml'));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already runs this app directory on every node; nothing to do/);
  });

  test('a failing release step stops the deploy with its output; nothing swaps', async () => {
    const r = await deploy(
      '--all',
      '--compose',
      app('bad-release', { version: 1, release: "sh -c 'echo cannot migrate: table locked; exit 3'" }),
    );
    assert.equal(r.code, 6, r.stderr);
    assert.match(
      r.stderr,
      /No node swapped: release command `sh -c 'echo cannot migrate: table locked; exit 3'` exited with code 3 on fleet-a:\ncannot migrate: table locked/,
    );
    assert.deepEqual([await body(A), await body(B)], ['hello from dynia example v3', 'hello from dynia example v3']);
    assert.equal(await releases(), 2);
  });

  test('a v4 that fails its external check on one node after the swap: both nodes roll back to v3, and it says so', async (t) => {
    // /healthz answers once (the internal check on fleet-b), then is gone; fleet-a checks / and stays healthy.
    // The file goes at the `response:` line httpd logs once it has opened it: at the `url:` line, logged before the
    // open, a busy machine could let the rm win and the internal check itself get a 404. ($$ is a literal $ to compose.)
    const once =
      'echo v4 > /www/index.html; httpd -f -vv -p 8080 -h /www 2>&1 | while read -r line; do case "$$line" in *url:/healthz*) h=1 ;; *response:*) [ -z "$$h" ] || rm -f /www/healthz; h= ;; esac; done';
    // Load on fleet-a, which swaps and is rolled back though healthy: reported, not asserted (a rollback is not a swap).
    const stop = startLoad({ url: `https://${A}.dynia.test/`, ip: ips[A]!, connections: 8, expect: /hello from dynia example v3|v4/ });
    const r = await deploy('--all', '--compose', app('v4', { version: 1, command: once }), '--timeout', '4s');
    const samples = await stop();
    t.diagnostic(`${samples.length} requests to ${A} during the deploy and its rollback, ${samples.filter((x) => !x.ok).length} failed`);
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, new RegExp(`${B} failed after the swap:\\n  ${B}: \\[Check https://${B}\\.dynia\\.test/healthz\\]`));
    assert.match(
      r.stderr,
      new RegExp(
        `Rolled back on every node, so the fleet stays on one version:\\n  ${A}: the previous version hello-green serves ${A}\\.dynia\\.test again\\n  ${B}: the previous version hello-green serves ${B}\\.dynia\\.test again`,
      ),
    );
    assert.match(r.stderr, new RegExp(`↺ ${A} +rolled-back`));
    assert.deepEqual([await body(A), await body(B)], ['hello from dynia example v3', 'hello from dynia example v3']);
    assert.equal(await releases(), 3, 'the release ran before the swaps');
  });

  test('app:list shows the version per node', async () => {
    const r = await cli(['app:list', '--json'], { stateDir });
    assert.equal(r.code, 0, r.stderr);
    const [hello] = JSON.parse(r.stdout);
    const v3 = readState(stateDir)
      .deployments.find((d: any) => d.status === 'active')
      .composeHash.slice(0, 12);
    assert.deepEqual(
      hello.nodes.map((n: any) => `${n.node}:${n.version}:${n.status}:${n.differs}`),
      [`${A}:${v3}:active:false`, `${B}:${v3}:active:false`],
    );
    assert.equal(hello.versions, 1);
    const table = await cli(['app:list'], { stateDir });
    assert.match(table.stdout, new RegExp(`hello +${B} +${v3}`));
  });

  test('app:exec returns the output and the exit code, in the running service or a new container', async () => {
    const r = await cli(['app:exec', '--node', A, '--', 'sh', '-c', 'cat /www/index.html; exit 5'], { stateDir });
    assert.equal(r.code, 5, r.stderr);
    assert.equal(r.stdout.trim(), 'hello from dynia example v3');
    const fresh = await cli(['app:exec', '--node', B, '--new', '--', 'sh', '-c', 'echo fresh; hostname'], { stateDir });
    assert.equal(fresh.code, 0, fresh.stderr);
    const [, host] = fresh.stdout.trim().split('\n');
    assert.doesNotMatch((await ssh(ips[B]!, 'docker ps -a --format "{{.ID}}"')).stdout, new RegExp(host!), 'the one-off container is gone');
    const audit = await cli(['audit', '--node', A, '--tail', '1'], { stateDir });
    assert.match(audit.stdout, /app:exec +failed .*program=sh argc=2 — exit code 5/);
  });

  test('app:remove: the node serves the placeholder, the volume stays; with --volumes it is gone', async () => {
    const r = await cli(['app:remove', '--app', 'hello', '--node', B, '--yes'], { stateDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /fleet-b\.dynia\.test serves the placeholder; volumes kept: hello[-\w]*_data/);
    assert.doesNotMatch(await body(B), /hello from dynia/);
    assert.match((await ssh(ips[B]!, 'docker volume ls --format "{{.Name}}"')).stdout, /hello[-\w]*_data/);
    assert.doesNotMatch((await ssh(ips[B]!, 'docker ps -a --format "{{.Names}}"; ls /opt/dynia/apps')).stdout, /hello/);
    assert.ok(!readState(stateDir).deployments.some((d: any) => d.node === B));
    assert.ok(!JSON.parse((await ssh(ips[B]!, 'cat /opt/dynia/node.json')).stdout).deployments.length);
    const all = await cli(['app:remove', '--app', 'hello', '--all', '--yes', '--volumes'], { stateDir });
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stderr, /volumes removed: hello[-\w]*_data/);
    assert.doesNotMatch((await ssh(ips[A]!, 'docker volume ls --format "{{.Name}}"')).stdout, /hello/);
    const none = await cli(['app:remove', '--app', 'hello', '--all', '--yes'], { stateDir });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /not deployed on any node/);
  });
});

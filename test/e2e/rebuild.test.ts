/**
 * Losing the state file is not a disaster: state:rebuild on the live sandbox (real droplets' SSH, Cloudflare
 * records, manifests, HTTPS), plus status, app:logs, app:rollback and the audit log on the same nodes.
 * The sandbox is shared: other nodes may exist; every comparison is limited to this file's nodes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { docker } from '../../sandbox/docker.js';
import { containerName } from '../../sandbox/hosts/droplet-host.js';
import { CloudflareClient } from '../../src/cloud/cloudflare.js';
import { ROOT, cli, destroyNodes, httpsGet, newStateDir, readState, pushHello, skipReason, ssh, sshSettled } from './helpers.js';

const skip = skipReason();
const A = 'e2e-rb1';
const B = 'e2e-rb2';
const GHOST = 'e2e-rb-ghost';
const MINE = [A, B];
/** An address of the sandbox subnet no node host gets (they count up from .10). */
const UNUSED_IP = '172.29.0.249';

const files = mkdtempSync(join(tmpdir(), 'dynia-rebuild-apps-'));
const hello = (version: number) => {
  const path = join(files, `hello-v${version}.yaml`);
  writeFileSync(path, `services:\n  web:\n    image: dynia-examples/hello:${version}\n    init: true\n    expose: ["8080"]\n`);
  return path;
};

/** What the cloud and the nodes can tell about a node and every deployment record, in a stable order. */
function comparable(state: any) {
  const nodes = state.nodes
    .filter((n: any) => MINE.includes(n.name))
    .map(({ name, ip, fqdn, healthPath, dropletId, dnsRecordId, sshHostKey, status, caddy, stepsDone }: any) => ({
      name,
      ip,
      fqdn,
      healthPath,
      dropletId,
      dnsRecordId,
      sshHostKey,
      status,
      caddy,
      stepsDone: [...stepsDone].sort(),
    }))
    .sort((a: any, b: any) => a.name.localeCompare(b.name));
  const deployments = state.deployments
    .filter((d: any) => MINE.includes(d.node))
    .sort((a: any, b: any) => `${a.node} ${a.createdAt}`.localeCompare(`${b.node} ${b.createdAt}`));
  return { nodes, deployments };
}

const cloudflare = () => new CloudflareClient({ token: process.env.CLOUDFLARE_API_TOKEN!, baseUrl: process.env.CLOUDFLARE_API_URL! });
const zone = () => process.env.CLOUDFLARE_ZONE_ID!;
const mineOnly = (findings: any[]) => findings.filter((f) => MINE.includes(f.node) || f.record?.name?.startsWith(GHOST));

describe('state:rebuild and the day-2 commands', { skip }, () => {
  const stateDir = newStateDir();
  const statePath = join(stateDir, 'state.json');
  const run = (args: string[]) => cli(args, { stateDir });
  const rebuild = async (...extra: string[]) => {
    const r = await run(['state:rebuild', '--json', ...extra]);
    return { ...r, report: r.stdout.trim().startsWith('{') ? JSON.parse(r.stdout) : undefined };
  };
  const node = (name: string) => readState(stateDir).nodes.find((n: any) => n.name === name);
  let stoppedContainer: string | undefined;

  before(async () => {
    await pushHello(1, 2);
    for (const args of [
      ['node:create', '--name', A],
      ['node:create', '--name', B, '--health-path', '/healthz'],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 0, r.stderr);
    }
    for (const [target, version] of [
      [A, 1],
      [A, 2],
      [B, 1],
    ] as const) {
      const r = await run(['app:deploy', '--node', target, '--compose', hello(version), '--name', 'hello']);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    if (stoppedContainer) await docker(['start', stoppedContainer]).catch(() => undefined);
    const client = cloudflare();
    for (const record of await client.listDnsRecords(zone(), { name: `${GHOST}.dynia.test` }).catch(() => []))
      await client.deleteDnsRecord(zone(), record.id);
    await client.close();
    await destroyNodes(stateDir, MINE);
  });

  test('a lost state file is rebuilt with every field the cloud and the nodes can tell', async () => {
    const before = comparable(readState(stateDir));
    assert.equal(before.nodes.length, 2);
    assert.equal(before.deployments.length, 3);
    rmSync(statePath);
    const r = await rebuild('--yes');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(comparable(readState(stateDir)), before);
    assert.equal(r.report.written, true);
    assert.equal(r.report.backup, null, 'no file, no backup');
    assert.deepEqual(mineOnly(r.report.findings), []);
    for (const name of MINE) {
      assert.equal(r.report.trusted.find((t: any) => t.node === name).trust, 'first-use');
      assert.match(r.stderr, new RegExp(`${name}: SSH host key SHA256:\\S+ pinned on first contact \\(trust on first use`));
      assert.equal(r.report.health.find((h: any) => h.node === name).ok, true);
    }
  });

  test('a stale state: shown, refused without a terminal, written with --yes and backed up', async () => {
    const good = readFileSync(statePath, 'utf8');
    const ipA = node(A).ip;
    const stale = JSON.parse(good);
    stale.nodes.find((n: any) => n.name === A).ip = '172.29.0.250';
    stale.deployments = stale.deployments.filter((d: any) => !(d.node === B));
    writeFileSync(statePath, JSON.stringify(stale, null, 2));
    const staleText = readFileSync(statePath, 'utf8');

    const refused = await run(['state:rebuild']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /no terminal to ask; nothing was done.*\n.*--yes/);
    assert.equal(readFileSync(statePath, 'utf8'), staleText);

    const dry = await run(['state:rebuild', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`~ ${A}: ip 172\\.29\\.0\\.250 → ${ipA.replaceAll('.', '\\.')}`));
    assert.match(dry.stdout, new RegExp(`\\+ ${B} hello hello-blue active`));
    assert.match(dry.stderr, /dry run: nothing was written/);
    assert.equal(readFileSync(statePath, 'utf8'), staleText);

    const r = await rebuild('--yes');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(r.report.backup, 'utf8'), staleText);
    assert.ok(readdirSync(stateDir).some((f) => f.startsWith('state.json.bak-')));
    assert.deepEqual(comparable(readState(stateDir)), comparable(JSON.parse(good)));
    assert.equal(r.report.trusted.find((t: any) => t.node === A).trust, 'pinned', 'a pinned key is verified, not re-trusted');
    assert.equal(r.report.diff.nodes.changed.find((c: any) => c.name === A).changes[0].field, 'ip');

    const again = await run(['state:rebuild', '--yes']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /No changes: the state file already matches what exists\./);
    assert.match(again.stderr, /· nothing to write/);
  });

  test('status: droplet, DNS at each resolver, Caddy, health, what it serves, last deployment', async () => {
    const r = await run(['status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const statuses = JSON.parse(r.stdout).filter((s: any) => MINE.includes(s.name));
    for (const s of statuses) {
      assert.equal(s.ok, true, JSON.stringify(s));
      assert.equal(s.droplet.status, 'active');
      assert.equal(s.dns.length, 2);
      assert.equal(s.caddy.running, true);
      assert.equal(s.health.status, 200);
    }
    const a = statuses.find((s: any) => s.name === A);
    assert.deepEqual(a.bindings, [{ domain: `${A}.dynia.test`, app: 'hello', project: 'hello-green' }]);
    assert.equal(a.lastDeployment.project, 'hello-green');
    const table = await run(['status']);
    assert.match(table.stdout, new RegExp(`${A}\\s+active\\s+active\\s+dynia-${A}\\s+ok \\(2/2\\)\\s+up\\s+HTTP 200`));
  });

  test('app:logs shows the logs; --follow streams until Ctrl-C and leaves nothing running on the node', async () => {
    const r = await run(['app:logs', '--node', A, '--tail', '5']);
    assert.equal(r.code, 0, r.stderr);
    const child = spawn(process.execPath, [join(ROOT, 'bin/dynia.js'), 'app:logs', '--node', A, '--follow'], {
      env: { ...process.env, DYNIA_STATE_DIR: stateDir },
      stdio: 'ignore',
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.match((await ssh(node(A).ip, 'ps -ef')).stdout, /logs --tail 100 --follow web/);
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms to stop`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.doesNotMatch((await ssh(node(A).ip, 'ps -ef')).stdout, /compose .* logs/);
  });

  test('app:rollback on the rebuilt state: v2 → v1 served again; every run is in the audit log', async () => {
    assert.equal((await httpsGet(`https://${A}.dynia.test/`)).body.trim(), 'hello from dynia example v2');
    const r = await run(['app:rollback', '--node', A, '--app', 'hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /rolled back from hello-green to hello-blue/);
    assert.equal((await httpsGet(`https://${A}.dynia.test/`)).body.trim(), 'hello from dynia example v1');
    const statuses = readState(stateDir)
      .deployments.filter((d: any) => d.node === A)
      .map((d: any) => `${d.project}:${d.status}`);
    assert.deepEqual(statuses, ['hello-blue:active', 'hello-green:rolled-back']);
    const manifest = JSON.parse((await ssh(node(A).ip, 'cat /opt/dynia/node.json')).stdout);
    assert.deepEqual(
      manifest.deployments.map((d: any) => `${d.project}:${d.status}`),
      statuses,
    );
    assert.match((await sshSettled(node(A).ip, 'docker ps -a --format "{{.Names}} {{.State}}"')).stdout, /hello-green-web-1 exited/);

    const again = await run(['app:rollback', '--node', A]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /no earlier version/);

    const audit = await run(['audit', '--node', A, '--json']);
    assert.equal(audit.code, 0, audit.stderr);
    const entries = JSON.parse(audit.stdout);
    assert.deepEqual(
      entries.map((e: any) => `${e.command}:${e.result}`),
      ['node:create:ok', 'app:deploy:ok', 'app:deploy:ok', 'app:rollback:ok'],
    );
    assert.ok(entries.every((e: any) => e.user === userInfo().username && /^\d{4}-/.test(e.time)));
    assert.deepEqual(entries[3].args, { node: A, app: 'hello', domain: `${A}.dynia.test`, from: 'hello-green', to: 'hello-blue' });
    const table = await run(['audit', '--node', A, '--tail', '1']);
    assert.match(table.stdout, /app:rollback\s+ok\s+node=e2e-rb1 app=hello/);
  });

  test('app:deploy works on the rebuilt state', async () => {
    const r = await run(['app:deploy', '--node', A, '--compose', hello(2), '--name', 'hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await httpsGet(`https://${A}.dynia.test/`)).body.trim(), 'hello from dynia example v2');
    const active = readState(stateDir).deployments.filter((d: any) => d.node === A && d.status === 'active');
    assert.deepEqual(
      active.map((d: any) => d.project),
      ['hello-green'],
    );
  });

  test('slb:sync works on the rebuilt state', async () => {
    const worker = `rb-slb-${process.pid}`;
    const r = await run(['slb:sync', '--name', worker, '--dry-run', '--json']);
    assert.equal(r.code, 0, r.stderr);
    // The account may hold other nodes too (a rebuild adopts every droplet tagged dynia): look at ours.
    const origins: string[] = JSON.parse(r.stdout).origins;
    assert.deepEqual(origins.filter((o) => o.includes('e2e-rb')).sort(), [A, B].map((n) => `https://${n}.dynia.test`).sort());
  });

  test('an unreachable node is kept as failed with what the cloud tells, and comes back once it answers', async () => {
    const b = node(B);
    stoppedContainer = containerName(b.dropletId);
    await docker(['stop', '-t', '2', stoppedContainer]);
    const r = await rebuild('--yes');
    assert.equal(r.code, 0, r.stderr);
    const kept = node(B);
    assert.deepEqual(
      {
        name: kept.name,
        ip: kept.ip,
        fqdn: kept.fqdn,
        dropletId: kept.dropletId,
        dnsRecordId: kept.dnsRecordId,
        sshHostKey: kept.sshHostKey,
        status: kept.status,
      },
      { name: B, ip: b.ip, fqdn: b.fqdn, dropletId: b.dropletId, dnsRecordId: b.dnsRecordId, sshHostKey: b.sshHostKey, status: 'failed' },
    );
    assert.deepEqual(
      readState(stateDir).deployments.filter((d: any) => d.node === B),
      [],
    );
    assert.deepEqual(
      mineOnly(r.report.findings).map((f: any) => [f.kind, f.outcome, f.node]),
      [['unreachable', 'kept-failed', B]],
    );
    assert.equal(node(A).status, 'active');
    const deploy = await run(['app:deploy', '--node', B, '--compose', hello(2), '--name', 'hello']);
    assert.equal(deploy.code, 2);
    assert.match(deploy.stderr, /not ready \(status failed\)/);

    await docker(['start', stoppedContainer]);
    stoppedContainer = undefined;
    const running = `[ "$(docker inspect -f '{{.State.Running}}' dynia-caddy hello-blue-web-1 | sort -u)" = true ]`;
    for (let i = 0; i < 60 && (await ssh(b.ip, running)).code !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 500));
    const back = await rebuild('--yes');
    assert.equal(back.code, 0, back.stderr);
    assert.equal(node(B).status, 'active');
    assert.equal(back.report.trusted.find((t: any) => t.node === B).trust, 'pinned');
    assert.deepEqual(
      readState(stateDir)
        .deployments.filter((d: any) => d.node === B)
        .map((d: any) => d.project),
      ['hello-blue'],
    );
    // Apps restart with their node (restart: unless-stopped from Dynia's override): nothing to report.
    assert.deepEqual(mineOnly(back.report.findings), []);
    const status = JSON.parse((await run(['status', '--json'])).stdout).find((s: any) => s.name === B);
    assert.equal(status.ok, true, JSON.stringify(status));
  });

  test('a droplet without its A record is kept as failed and repaired by node:create; a record without a droplet is reported', async () => {
    const b = node(B);
    const client = cloudflare();
    try {
      assert.ok(await client.deleteDnsRecord(zone(), b.dnsRecordId));
      await client.createDnsRecord(zone(), { type: 'A', name: `${GHOST}.dynia.test`, content: UNUSED_IP, ttl: 60, proxied: false });
    } finally {
      await client.close();
    }
    const r = await rebuild('--yes');
    assert.equal(r.code, 0, r.stderr);
    const kept = node(B);
    assert.equal(kept.status, 'failed');
    assert.equal(kept.dnsRecordId, undefined);
    assert.equal(kept.healthPath, '/healthz');
    assert.deepEqual(
      readState(stateDir)
        .deployments.filter((d: any) => d.node === B)
        .map((d: any) => `${d.project}:${d.status}`),
      ['hello-blue:active'],
    );
    assert.deepEqual(
      mineOnly(r.report.findings).map((f: any) => [f.kind, f.outcome, f.node ?? f.record.name]),
      [
        ['orphan-record', 'reported', `${GHOST}.dynia.test`],
        ['no-dns-record', 'kept-failed', B],
      ],
    );
    assert.ok(!readState(stateDir).nodes.some((n: any) => n.name === GHOST));
    assert.match(r.stderr, new RegExp(`A record ${GHOST}\\.dynia\\.test → ${UNUSED_IP.replaceAll('.', '\\.')} points at no dynia droplet`));

    const repair = await run(['node:create', '--name', B, '--health-path', '/healthz']);
    assert.equal(repair.code, 0, repair.stderr);
    assert.equal(node(B).status, 'active');
    assert.ok(node(B).dnsRecordId);
    assert.equal((await httpsGet(`https://${B}.dynia.test/`)).body.trim(), 'hello from dynia example v1', 'the app kept its route');
  });
});

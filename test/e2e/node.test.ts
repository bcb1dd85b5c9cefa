/**
 * node:create / node:list / node:destroy on the sandbox: real droplet hosts, DNS, SSH, Caddy and pebble.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CF_ADMIN,
  DO_ADMIN,
  SANDBOX_ADMIN,
  admin,
  cli,
  cliSpawn,
  destroyNodes,
  httpsGet,
  newStateDir,
  readState,
  resolveInSandbox,
  skipReason,
} from './helpers.js';

const skip = skipReason();
/** Droplet creations the DigitalOcean emulator saw since its request log was last cleared. */
const createdDroplets = async () =>
  ((await admin.get(DO_ADMIN(), '/__sandbox/requests')) as Array<{ method: string; path: string }>).filter(
    (r) => r.method === 'POST' && r.path.startsWith('/v2/droplets'),
  ).length;

describe('node lifecycle', { skip }, () => {
  const stateDir = newStateDir();
  before(async () => admin.del(DO_ADMIN(), '/__sandbox/requests'));
  after(async () => destroyNodes(stateDir, ['e2e-a', 'e2e-b']));

  test('two nodes get real certificates; the placeholder answers; state holds both health paths', async () => {
    const a = await cli(['node:create', '--name', 'e2e-a'], { stateDir });
    const b = await cli(['node:create', '--name', 'e2e-b', '--health-path', '/healthz'], { stateDir });
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(a.stdout.trim(), 'https://e2e-a.dynia.test/');
    const page = await httpsGet('https://e2e-a.dynia.test/');
    assert.equal(page.status, 200);
    assert.match(page.body, /Dynia node e2e-a is ready/);
    assert.equal((await httpsGet('https://e2e-b.dynia.test/healthz')).status, 200);
    const state = readState(stateDir);
    assert.deepEqual(state.nodes.map((n: any) => [n.name, n.status, n.healthPath, n.fqdn]).sort(), [
      ['e2e-a', 'active', '/', 'e2e-a.dynia.test'],
      ['e2e-b', 'active', '/healthz', 'e2e-b.dynia.test'],
    ]);
    for (const node of state.nodes) {
      assert.match(node.sshHostKey, /^ssh-ed25519 /);
      assert.ok(node.dropletId > 0 && node.dnsRecordId);
      assert.deepEqual(await resolveInSandbox(node.fqdn), [node.ip]);
    }
    const list = await cli(['node:list', '--json'], { stateDir });
    assert.deepEqual(
      JSON.parse(list.stdout)
        .map((n: any) => n.name)
        .sort(),
      ['e2e-a', 'e2e-b'],
    );
  });

  test('node:destroy removes the droplet, the DNS record and the state entry', async () => {
    const node = readState(stateDir).nodes.find((n: any) => n.name === 'e2e-b');
    const r = await cli(['node:destroy', '--name', 'e2e-b', '--yes'], { stateDir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      readState(stateDir).nodes.map((n: any) => n.name),
      ['e2e-a'],
    );
    const droplet = await fetch(`${DO_ADMIN()}/v2/droplets/${node.dropletId}`, {
      headers: { authorization: `Bearer ${process.env.DIGITALOCEAN_TOKEN}` },
    });
    assert.equal(droplet.status, 404);
    const records = await (
      await fetch(`${process.env.CLOUDFLARE_API_URL}/zones/${process.env.CLOUDFLARE_ZONE_ID}/dns_records?name=e2e-b.dynia.test`, {
        headers: { authorization: `Bearer ${process.env.CLOUDFLARE_API_TOKEN}` },
      })
    ).json();
    assert.deepEqual((records as any).result, []);
    // Again: nothing left to destroy is a clear error, not a crash.
    const again = await cli(['node:destroy', '--name', 'e2e-b', '--yes'], { stateDir });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /no node named e2e-b/);
  });

  test('a pinned host key that does not match is refused', async () => {
    const dir = newStateDir();
    const state = readState(stateDir);
    state.nodes[0].sshHostKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyOtherKeyOtherKeyOtherKeyOtherKey1';
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
    const r = await cli(['app:deploy', '--node', 'e2e-a', '--compose', join(import.meta.dirname, '../../examples/hello/compose.yaml')], {
      stateDir: dir,
    });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /host key/i);
    assert.match(r.stderr, /SHA256:/);
    assert.match(r.stderr, /dynia node:trust --name e2e-a/);
    // The fix the message names: pin what the node offers now (here: its real key again).
    const trust = await cli(['node:trust', '--name', 'e2e-a', '--yes'], { stateDir: dir });
    assert.equal(trust.code, 0, trust.stderr);
    assert.equal(readState(dir).nodes[0].sshHostKey, readState(stateDir).nodes[0].sshHostKey);
    assert.match((await cli(['node:trust', '--name', 'e2e-a'], { stateDir: dir })).stderr, /already the pinned key/);
  });
});

describe('node:create refuses bad input before touching the cloud', { skip }, () => {
  const stateDir = newStateDir();
  const cases: Array<[string[], RegExp]> = [
    [['--name', 'Web_1'], /--name/],
    [['--name', '-web'], /--name/],
    [['--name', 'a'.repeat(64)], /--name/],
    [['--name', 'web-9', '--health-path', 'healthz'], /--health-path/],
    [['--name', 'web-9', '--health-path', '/he alth'], /--health-path/],
    [['--name', 'web-9', '--health-path', '/x"y'], /--health-path/],
    [['--name', 'web-9', '--health-path', '/{x}'], /--health-path/],
    [['--name', 'web-9', '--health-path', '/a\nb'], /--health-path/],
  ];
  for (const [args, field] of cases) {
    test(`node:create ${JSON.stringify(args)}`, async () => {
      await admin.del(DO_ADMIN(), '/__sandbox/requests');
      const r = await cli(['node:create', ...args], { stateDir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, field);
      assert.equal(await createdDroplets(), 0);
      assert.deepEqual(readState(stateDir).nodes, []);
    });
  }
});

describe('node:create resumes', { skip }, () => {
  const stateDir = newStateDir();
  after(async () => {
    await admin.del(CF_ADMIN(), '/__sandbox/faults');
    await admin.post(SANDBOX_ADMIN, '/dns-delay', { ms: [500, 1500] });
    await destroyNodes(stateDir, ['e2e-r1', 'e2e-r2', 'e2e-r3']);
  });

  test('after a Cloudflare outage in the middle: same droplet, then done', async () => {
    await admin.post(CF_ADMIN(), '/__sandbox/faults', { match: { path: '/zones' }, count: 50, status: 500 });
    const failed = await cli(['node:create', '--name', 'e2e-r1'], { stateDir });
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /Cloudflare/);
    assert.match(failed.stderr, /Re-run the same command to resume/);
    const half = readState(stateDir).nodes[0];
    assert.equal(half.status, 'failed');
    assert.ok(half.dropletId);
    await admin.del(CF_ADMIN(), '/__sandbox/faults');
    await admin.del(DO_ADMIN(), '/__sandbox/requests');
    const resumed = await cli(['node:create', '--name', 'e2e-r1'], { stateDir });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /found existing droplet/);
    assert.equal(await createdDroplets(), 0, 'no second droplet');
    assert.equal(readState(stateDir).nodes[0].dropletId, half.dropletId);
    assert.equal((await httpsGet('https://e2e-r1.dynia.test/')).status, 200);
  });

  test('after the process is killed: finds its droplet instead of making another', async () => {
    const child = cliSpawn(['node:create', '--name', 'e2e-r2'], { stateDir });
    for (let i = 0; i < 200 && !readState(stateDir).nodes.find((n: any) => n.name === 'e2e-r2')?.dropletId; i++)
      await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    const half = readState(stateDir).nodes.find((n: any) => n.name === 'e2e-r2');
    assert.ok(half?.dropletId, 'killed after the droplet was recorded');
    await admin.del(DO_ADMIN(), '/__sandbox/requests');
    const resumed = await cli(['node:create', '--name', 'e2e-r2'], { stateDir });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(await createdDroplets(), 0);
    assert.equal(readState(stateDir).nodes.find((n: any) => n.name === 'e2e-r2').dropletId, half.dropletId);
  });

  test('a propagation timeout names each resolver and what it answers', async () => {
    await admin.post(SANDBOX_ADMIN, '/dns-delay', { ms: [500, 600_000] });
    const r = await cli(['node:create', '--name', 'e2e-r3', '--dns-timeout', '4'], { stateDir });
    assert.equal(r.code, 7, r.stderr);
    const [, second] = (process.env.DYNIA_DNS_RESOLVERS ?? '').split(',');
    assert.match(r.stderr, new RegExp(`${second!.replaceAll('.', '\\.')}:53`));
    assert.match(r.stderr, /e2e-r3\.dynia\.test/);
  });
});

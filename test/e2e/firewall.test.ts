/**
 * Nodes are closed by default, on the sandbox: the emulated Cloud Firewall is enforced on this machine's packet
 * filter (outside the node host), sshd is key-only for real, and bad input never reaches the cloud.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from 'ssh2';
import { SANDBOX } from '../../sandbox/layout.js';
import { DO_ADMIN, admin, cli, cliSpawn, destroyNodes, httpsGet, newStateDir, readState, skipReason, ssh } from './helpers.js';

const skip = skipReason();
const api = async (path: string): Promise<any> =>
  (await fetch(`${DO_ADMIN()}${path}`, { headers: { authorization: `Bearer ${process.env.DIGITALOCEAN_TOKEN}` } })).json();
const requests = async (method: string, prefix: string) =>
  ((await admin.get(DO_ADMIN(), '/__sandbox/requests')) as Array<{ method: string; path: string }>).filter(
    (r) => r.method === method && r.path.startsWith(prefix),
  ).length;
const firewallsNamed = async (name: string) => ((await api('/v2/firewalls')).firewalls as any[]).filter((f) => f.name === name);
const host = (dropletId: number) => `${SANDBOX.dropletPrefix}${dropletId}`;
const onHost = (dropletId: number, ...argv: string[]) => execFileSync('docker', ['exec', host(dropletId), ...argv], { encoding: 'utf8' });

/** Whether a TCP connection from this machine gets through within `ms` (the firewall drops, it does not reject). */
function tcpOpen(ip: string, port: number, ms = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    const done = (open: boolean) => (socket.destroy(), resolve(open));
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A password login over real SSH; resolves with how it ended. */
function passwordLogin(ip: string, password: string): Promise<string> {
  return new Promise((resolve) => {
    const client = new Client();
    client.once('ready', () => (client.end(), resolve('logged in')));
    client.once('error', (error: Error & { level?: string }) => resolve(`${error.level}: ${error.message}`));
    client.connect({ host: ip, username: 'root', password, tryKeyboard: true, readyTimeout: 10_000 });
  });
}

describe('closed by default', { skip }, () => {
  const stateDir = newStateDir();
  let node: any;
  before(async () => {
    await admin.del(DO_ADMIN(), '/__sandbox/requests');
    const r = await cli(['node:create', '--name', 'e2e-fw'], { stateDir });
    assert.equal(r.code, 0, r.stderr);
    node = readState(stateDir).nodes.find((n: any) => n.name === 'e2e-fw');
  });
  after(async () => destroyNodes(stateDir, ['e2e-fw', 'e2e-fw-k']));

  test('the droplet is behind exactly one firewall: TCP 22, 80, 443 and ICMP in; recorded in state and manifest', async () => {
    const { firewalls } = await api(`/v2/droplets/${node.dropletId}/firewalls`);
    assert.deepEqual(
      firewalls.map((f: any) => f.name),
      ['dynia-e2e-fw'],
    );
    assert.deepEqual(
      firewalls[0].inbound_rules.map((r: any) => `${r.protocol}/${r.ports}`),
      ['tcp/22', 'tcp/80', 'tcp/443', 'icmp/0'],
    );
    assert.equal(firewalls[0].status, 'succeeded');
    assert.deepEqual(node.firewall, { id: firewalls[0].id, name: 'dynia-e2e-fw', sshFrom: ['0.0.0.0/0', '::/0'] });
    assert.deepEqual(JSON.parse(onHost(node.dropletId, 'cat', '/opt/dynia/node.json')).firewall, node.firewall);
  });

  test('a port an app publishes answers on the node but not from outside; 22/443 and HTTPS through Caddy do', async () => {
    onHost(
      node.dropletId,
      'docker',
      'run',
      '-d',
      '--name',
      'stray',
      '-p',
      '8081:80',
      'busybox:1.36',
      'httpd',
      '-f',
      '-p',
      '80',
      '-h',
      '/etc',
    );
    let inside = '';
    for (let i = 0; i < 20 && inside !== '200'; i++) {
      inside = onHost(node.dropletId, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${node.ip}:8081/hostname`).trim();
      if (inside !== '200') await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(inside, '200', 'the published port answers on the node itself');
    assert.equal(await tcpOpen(node.ip, 8081), false, '8081 is dropped from the sandbox host');
    assert.equal(await tcpOpen(node.ip, 2019), false, "Caddy's admin port is not reachable");
    assert.equal(await tcpOpen(node.ip, 22), true);
    assert.equal(await tcpOpen(node.ip, 443), true);
    const page = await httpsGet('https://e2e-fw.dynia.test/');
    assert.equal(page.status, 200);
    assert.match(page.body, /Dynia node e2e-fw is ready/);

    const status = await cli(['status', '--json'], { stateDir });
    const mine = JSON.parse(status.stdout).find((s: any) => s.name === 'e2e-fw');
    assert.equal(mine.firewall.status, 'found');
    assert.deepEqual(mine.firewall.hidden, [{ container: 'stray', port: 8081 }]);
    const table = await cli(['status'], { stateDir });
    assert.match(table.stdout, /dynia-e2e-fw \(drift\)/);
    assert.match(table.stderr, /container stray publishes port 8081, which the firewall hides/);
    onHost(node.dropletId, 'docker', 'rm', '-f', 'stray');
  });

  test('sshd is key-only: a password login is refused even with the right password', async () => {
    const hash = execFileSync('openssl', ['passwd', '-6', 'correct-horse'], { encoding: 'utf8' }).trim();
    execFileSync('docker', ['exec', '-e', `H=${hash}`, host(node.dropletId), 'sh', '-c', `sed -i "s|^root:[^:]*:|root:$H:|" /etc/shadow`]);
    assert.match(await passwordLogin(node.ip, 'correct-horse'), /^client-authentication: All configured authentication methods failed/);
    const effective = onHost(node.dropletId, '/usr/sbin/sshd', '-T');
    assert.match(effective, /^passwordauthentication no$/m);
    assert.match(effective, /^authenticationmethods publickey$/m);
    assert.equal((await ssh(node.ip, 'true')).code, 0, 'the key still works');
  });

  test('cloud-init schema accepts the user_data the droplet received', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dynia-ud-')), 'user-data');
    writeFileSync(file, onHost(node.dropletId, 'cat', '/var/lib/cloud/user-data'));
    assert.match(execFileSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' }), /Valid cloud-config/);
  });

  test('a malformed --health-path is refused before any API call', async () => {
    await admin.del(DO_ADMIN(), '/__sandbox/requests');
    for (const path of ['/%zz', '/a%2', '/%2e%2e/x']) {
      const r = await cli(['node:create', '--name', 'e2e-fw-bad', '--health-path', path], { stateDir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--health-path/);
    }
    assert.equal(await requests('POST', '/v2/'), 0);
    assert.equal(
      readState(stateDir).nodes.some((n: any) => n.name === 'e2e-fw-bad'),
      false,
    );
  });

  test('state:rebuild finds the firewall again', async () => {
    const r = await cli(['state:rebuild', '--dry-run', '--json'], { stateDir });
    assert.equal(r.code, 0, r.stderr);
    const rebuilt = JSON.parse(r.stdout).state.nodes.find((n: any) => n.name === 'e2e-fw');
    assert.deepEqual(rebuilt.firewall, node.firewall);
  });

  test('narrowing port 22 so that this machine is left out warns, needs --yes, then SSH is refused', async () => {
    const refused = await cli(['node:harden', '--name', 'e2e-fw', '--ssh-from', '10.99.0.0/16'], { stateDir });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /leaves out this machine \(172\.29\.\d+\.1/);
    assert.deepEqual(
      (await firewallsNamed('dynia-e2e-fw'))[0].inbound_rules[0].sources.addresses,
      ['0.0.0.0/0', '::/0'],
      'nothing changed',
    );
    assert.equal((await ssh(node.ip, 'true')).code, 0);

    const done = await cli(['node:harden', '--name', 'e2e-fw', '--ssh-from', '10.99.0.0/16', '--yes'], { stateDir });
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, /can no longer reach e2e-fw over SSH/);
    assert.deepEqual((await firewallsNamed('dynia-e2e-fw'))[0].inbound_rules[0].sources.addresses, ['10.99.0.0/16']);
    assert.equal(await tcpOpen(node.ip, 22), false, 'SSH from this machine is dropped');
    assert.equal(await tcpOpen(node.ip, 443), true, 'HTTPS still answers');
    assert.deepEqual(readState(stateDir).nodes.find((n: any) => n.name === 'e2e-fw').firewall.sshFrom, ['10.99.0.0/16']);
  });

  test('node:destroy leaves no firewall behind', async () => {
    const r = await cli(['node:destroy', '--name', 'e2e-fw', '--yes'], { stateDir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await firewallsNamed('dynia-e2e-fw'), []);
    const chain = execFileSync('iptables', ['-S', SANDBOX.firewallChain], { encoding: 'utf8' });
    assert.doesNotMatch(chain, new RegExp(`-d ${node.ip.replaceAll('.', '\\.')}/32`));
  });

  test('a create killed after its firewall exists makes no second one when resumed', async () => {
    await admin.del(DO_ADMIN(), '/__sandbox/requests');
    const child = cliSpawn(['node:create', '--name', 'e2e-fw-k'], { stateDir });
    for (let i = 0; i < 400 && (await firewallsNamed('dynia-e2e-fw-k')).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    assert.equal((await firewallsNamed('dynia-e2e-fw-k')).length, 1, 'killed once the firewall existed');
    const resumed = await cli(['node:create', '--name', 'e2e-fw-k'], { stateDir });
    assert.equal(resumed.code, 0, resumed.stderr);
    const fws = await firewallsNamed('dynia-e2e-fw-k');
    assert.equal(fws.length, 1);
    assert.equal(await requests('POST', '/v2/firewalls'), 1, 'one create call in both runs');
    assert.deepEqual(fws[0].droplet_ids, [readState(stateDir).nodes.find((n: any) => n.name === 'e2e-fw-k').dropletId]);
  });
});

/** node:harden against a fake firewall API and a scripted node: the lockout guard and the order of changes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DyniaError } from '../../src/errors.js';
import { State } from '../../src/state/schema.js';
import { callerAddress, nodeHarden } from '../../src/commands/node-harden/workflow.js';
import type { Firewall, FirewallRequest } from '../../src/cloud/digitalocean.js';
import { firewallFrom } from './records.js';
import { fakeDeps, fakeDigitalOcean, FakeNode, memoryTx } from './workflow-fakes.js';

function setup() {
  const state = State.parse({
    version: 1,
    nodes: [
      {
        name: 'web-1',
        ip: '203.0.113.10',
        fqdn: 'web-1.example.com',
        createdAt: '',
        status: 'active',
        healthPath: '/',
        caddy: { domain: 'web-1.example.com', target: { service: 'placeholder', port: 8080 } },
        dropletId: 7,
        sshHostKey: 'ssh-ed25519 AAAA',
      },
    ],
    deployments: [],
  });
  const log: string[] = [];
  const firewalls: Firewall[] = [];
  const remote = new FakeNode('203.0.113.10').on(['sh', '-c', 'echo "$SSH_CONNECTION"'], {
    stdout: '198.51.100.4 50312 203.0.113.10 22\n',
  });
  const sources = (req: FirewallRequest) => req.inboundRules[0]!.sources.addresses!.join(',');
  const deps = fakeDeps({
    tx: memoryTx(state),
    digitalocean: fakeDigitalOcean({
      listFirewalls: async () => structuredClone(firewalls),
      createFirewall: async (req: FirewallRequest) => {
        log.push(`create ${req.name} 22 from ${sources(req)}`);
        const fw = firewallFrom('fw-1', req);
        firewalls.push(fw);
        return structuredClone(fw);
      },
      updateFirewall: async (id: string, req: FirewallRequest) => {
        log.push(`update ${id} 22 from ${sources(req)}`);
        Object.assign(firewalls[0], { inbound_rules: req.inboundRules });
        return structuredClone(firewalls[0]);
      },
    }),
    settings: { domain: 'example.com', zoneId: 'z', resolvers: [], acme: { ca: '' }, sshKeyPath: '/k' },
    reporter: { stepStart() {}, stepDone() {}, stepSkipped() {}, info() {}, warn: (m: string) => log.push(`warn ${m}`) },
    connect: async () => remote,
  });
  return { deps, log, remote };
}

test('callerAddress reads $SSH_CONNECTION', () => {
  assert.equal(callerAddress('198.51.100.4 50312 203.0.113.10 22\n'), '198.51.100.4');
  assert.equal(callerAddress('::ffff:10.0.0.1 1 10.0.0.2 22'), '10.0.0.1');
  assert.equal(callerAddress(''), undefined);
});

test('a narrowing that leaves this machine out is refused without --yes, before any change', async () => {
  const { deps, log, remote } = setup();
  await assert.rejects(
    nodeHarden({ name: 'web-1', sshFrom: ['10.0.0.0/8'], yes: false }, deps),
    (e: unknown) => e instanceof DyniaError && e.kind === 'input' && /leaves out this machine \(198\.51\.100\.4/.test(e.message),
  );
  assert.deepEqual(log, [], 'no change, and the error is the warning');
  assert.deepEqual(deps.tx.state.nodes[0]!.firewall, undefined);
  assert.deepEqual(
    remote.calls.filter((c) => c.kind === 'upload' && c.path === '/opt/dynia/node.json'),
    [],
  );
});

test('with --yes: firewall first with SSH as before, then the manifest, then the narrowing', async () => {
  const { deps, log, remote } = setup();
  const result = await nodeHarden({ name: 'web-1', sshFrom: ['10.0.0.0/8'], yes: true }, deps);
  assert.match(log[0]!, /^warn --ssh-from 10\.0\.0\.0\/8 leaves out this machine/);
  assert.deepEqual(log.slice(1), ['create dynia-web-1 22 from 0.0.0.0/0,::/0', 'update fw-1 22 from 10.0.0.0/8']);
  assert.deepEqual(result, {
    node: 'web-1',
    firewall: { id: 'fw-1', name: 'dynia-web-1', sshFrom: ['10.0.0.0/8'] },
    callerIp: '198.51.100.4',
    lockedOut: true,
  });
  const manifest = remote.calls.find((c) => c.kind === 'upload' && c.path === '/opt/dynia/node.json');
  assert.deepEqual(JSON.parse((manifest as { content: string }).content).firewall, {
    id: 'fw-1',
    name: 'dynia-web-1',
    sshFrom: ['10.0.0.0/8'],
  });
  assert.deepEqual(deps.tx.state.nodes[0]!.firewall, result.firewall);
});

test('including this machine needs no confirmation; a second run changes nothing', async () => {
  const { deps, log } = setup();
  await nodeHarden({ name: 'web-1', sshFrom: ['198.51.100.0/24'], yes: false }, deps);
  await nodeHarden({ name: 'web-1', yes: false }, deps);
  assert.deepEqual(log, ['create dynia-web-1 22 from 0.0.0.0/0,::/0', 'update fw-1 22 from 198.51.100.0/24']);
});

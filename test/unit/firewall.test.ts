import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Firewall } from '../../src/cloud/digitalocean.js';
import {
  attachFirewalls,
  describeFirewall,
  firewallOpens,
  inboundRules,
  OUTBOUND_RULES,
  planFirewall,
  sshSources,
} from '../../src/firewall/plan.js';
import { releaseNodeFirewall } from '../../src/firewall/firewall.js';
import { firewallProblems, firewallStatus, parsePublishedPorts } from '../../src/firewall/status.js';
import type { NodeRecord } from '../../src/state/schema.js';
import { fakeDeps, fakeDigitalOcean } from './workflow-fakes.js';

const fw = (extra: Partial<Firewall> = {}): Firewall => ({
  id: 'fw-1',
  name: 'dynia-web-1',
  status: 'succeeded',
  created_at: '',
  inbound_rules: inboundRules(),
  outbound_rules: OUTBOUND_RULES,
  droplet_ids: [7],
  tags: [],
  ...extra,
});
const node = { name: 'web-1', dropletId: 7, firewall: { id: 'fw-1', name: 'dynia-web-1', sshFrom: ['0.0.0.0/0', '::/0'] } } as NodeRecord;

describe('firewall plan', () => {
  test('a new node gets exactly 22, 80, 443 and ICMP in, everything out', () => {
    const plan = planFirewall('web-1', 7, ['203.0.113.7/32'], undefined);
    assert.equal(plan.action, 'create');
    assert.deepEqual(plan.action === 'create' && plan.request, {
      name: 'dynia-web-1',
      inboundRules: [
        { protocol: 'tcp', ports: '22', sources: { addresses: ['203.0.113.7/32'] } },
        { protocol: 'tcp', ports: '80', sources: { addresses: ['0.0.0.0/0', '::/0'] } },
        { protocol: 'tcp', ports: '443', sources: { addresses: ['0.0.0.0/0', '::/0'] } },
        { protocol: 'icmp', ports: '0', sources: { addresses: ['0.0.0.0/0', '::/0'] } },
      ],
      outboundRules: ['tcp', 'udp', 'icmp'].map((protocol) => ({
        protocol,
        ports: '0',
        destinations: { addresses: ['0.0.0.0/0', '::/0'] },
      })),
      dropletIds: [7],
    });
  });
  test('an equal firewall is left alone (rule order, "all" vs "0" do not matter)', () => {
    const reordered = fw({
      inbound_rules: [...inboundRules()].reverse(),
      outbound_rules: OUTBOUND_RULES.map((r) => ({ ...r, ports: r.protocol === 'icmp' ? '0' : 'all' })),
    });
    assert.deepEqual(planFirewall('web-1', 7, ['0.0.0.0/0', '::/0'], reordered), { action: 'none', id: 'fw-1' });
  });
  test('other rules or a missing droplet update it, keeping other droplets and tags', () => {
    const plan = planFirewall(
      'web-1',
      7,
      ['10.0.0.0/8'],
      fw({
        droplet_ids: [9],
        tags: ['ops'],
        inbound_rules: [...inboundRules(), { protocol: 'tcp', ports: '8081', sources: { addresses: ['0.0.0.0/0'] } }],
      }),
    );
    assert.equal(plan.action, 'update');
    if (plan.action !== 'update') return;
    assert.deepEqual(plan.why, ['inbound rules', 'droplet 7']);
    assert.deepEqual([plan.request.dropletIds, plan.request.tags], [[9, 7], ['ops']]);
    assert.deepEqual(plan.request.inboundRules[0]!.sources, { addresses: ['10.0.0.0/8'] });
  });
  test('what it opens, and how status shows it', () => {
    const narrowed = fw({ inbound_rules: inboundRules(['203.0.113.7/32']) });
    assert.deepEqual(sshSources(narrowed), ['203.0.113.7/32']);
    assert.deepEqual(
      [22, 80, 443, 8081, 2019].map((p) => firewallOpens(narrowed, p)),
      [true, true, true, false, false],
    );
    assert.equal(describeFirewall(narrowed), 'dynia-web-1 (succeeded): tcp 22 from 203.0.113.7/32; tcp 80; tcp 443; icmp');
  });
});

describe('firewall status and drift', () => {
  test('published host ports on all addresses are found; loopback ones are not public', () => {
    const out =
      'dynia-caddy\t0.0.0.0:80->80/tcp, [::]:80->80/tcp, 0.0.0.0:443->443/tcp, 0.0.0.0:443->443/udp\nstray\t0.0.0.0:8081->80/tcp, :::8081->80/tcp\nlocal\t127.0.0.1:9000->9000/tcp\nrange\t0.0.0.0:7000-7001->7000-7001/tcp\nquiet\t\n';
    assert.deepEqual(parsePublishedPorts(out), [
      { container: 'dynia-caddy', port: 80 },
      { container: 'dynia-caddy', port: 443 },
      { container: 'stray', port: 8081 },
      { container: 'range', port: 7000 },
      { container: 'range', port: 7001 },
    ]);
  });
  test('a hidden published port is drift; a node without firewall is named', () => {
    const status = firewallStatus(
      node,
      [fw()],
      [
        { container: 'dynia-caddy', port: 443 },
        { container: 'stray', port: 8081 },
      ],
    );
    assert.deepEqual(status.hidden, [{ container: 'stray', port: 8081 }]);
    assert.deepEqual(firewallProblems('web-1', status), [
      'web-1: container stray publishes port 8081, which the firewall hides (drift: drop the publish, or deliberately allow it)',
    ]);
    assert.deepEqual(firewallProblems('web-1', firewallStatus(node, [fw({ droplet_ids: [] })], [])), [
      'web-1: no Cloud Firewall: every port published on it is reachable (dynia node:harden --name web-1)',
    ]);
    assert.deepEqual(firewallProblems('web-1', firewallStatus(node, new Error('HTTP 503\nmore'), [])), [
      'web-1: firewall unknown (HTTP 503)',
    ]);
  });
});

test('state:rebuild finds the firewall named after the node that covers its droplet', () => {
  const nodes: Array<Partial<NodeRecord> & { name: string }> = [
    { name: 'web-1', dropletId: 7 },
    { name: 'web-2', dropletId: 8, firewall: { id: 'gone', name: 'dynia-web-2', sshFrom: ['0.0.0.0/0'] } },
  ];
  attachFirewalls(nodes, [fw({ inbound_rules: inboundRules(['10.0.0.0/8']) }), fw({ id: 'fw-2', name: 'dynia-web-2', droplet_ids: [99] })]);
  assert.deepEqual(
    nodes.map((n) => n.firewall),
    [{ id: 'fw-1', name: 'dynia-web-1', sshFrom: ['10.0.0.0/8'] }, undefined],
  );
});

describe('node:destroy and the firewall', () => {
  const deps = (firewalls: Firewall[], log: string[]) =>
    fakeDeps({
      digitalocean: fakeDigitalOcean({
        listFirewalls: async () => firewalls,
        deleteFirewall: async (id: string) => (log.push(`delete ${id}`), true),
        removeFirewallDroplets: async (id: string, ids: number[]) => void log.push(`detach ${id} ${ids}`),
      }),
    });
  test('deleted when only this node used it; kept (this droplet detached) when others do', async () => {
    const log: string[] = [];
    assert.equal(await releaseNodeFirewall(deps([fw()], log), node), 'deleted dynia-web-1');
    assert.equal(
      await releaseNodeFirewall(deps([fw({ droplet_ids: [7, 9], tags: ['ops'] })], log), node),
      'kept dynia-web-1: still used by droplet 9, tag ops',
    );
    assert.equal(await releaseNodeFirewall(deps([fw({ name: 'someone-elses', id: 'x' })], log), { ...node, firewall: undefined }), 'none');
    assert.deepEqual(log, ['delete fw-1', 'detach fw-1 7']);
  });
});

/** The emulator's `/v2/firewalls` and what it asks the packet filter to enforce (in-memory hosts and filter). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MemoryPacketFilter } from '../../sandbox/emulators/digitalocean/firewall-enforcer.js';
import type { FirewallRecord } from '../../sandbox/emulators/digitalocean/firewall-store.js';
import { MemoryHostDriver } from '../../sandbox/emulators/digitalocean/memory-hosts.js';
import { startDigitalOceanEmulator, type RunningDigitalOceanEmulator } from '../../sandbox/emulators/digitalocean/server.js';
import { hookRules, renderFilterChain } from '../../sandbox/hosts/iptables-rules.js';
import { emulatorCall } from './emulator-call.js';

const TOKEN = 'dop_v1_firewall_test_token';
const filter = new MemoryPacketFilter();
/** A call, not the field: assert.deepEqual narrows what it checked. */
const applied = () => filter.applied;
let saved: FirewallRecord[] = [];
let emulator: RunningDigitalOceanEmulator;

const call = (method: string, path: string, body?: unknown) => emulatorCall(emulator.url, method, path, { token: TOKEN, body });

const anywhere = { addresses: ['0.0.0.0/0', '::/0'] };
const web = (ports: string) => ({ protocol: 'tcp', ports, sources: anywhere });
const outAll = [{ protocol: 'tcp', ports: 'all', destinations: anywhere }];

before(async () => {
  emulator = await startDigitalOceanEmulator({
    port: 0,
    token: TOKEN,
    hosts: new MemoryHostDriver(),
    sshKeys: [],
    packetFilter: filter,
    firewallPersistence: { load: () => [], save: (records) => (saved = structuredClone(records)) },
  });
});
after(() => emulator.close());

async function droplet(name: string, tags: string[] = []): Promise<{ id: number; ip: string }> {
  const created = await call('POST', '/v2/droplets', { name, region: 'nyc3', size: 's-1vcpu-1gb', image: 'ubuntu-24-04-x64', tags });
  return { id: created.body.droplet.id, ip: `192.0.2.${10 + (created.body.droplet.id - 400_000_001)}` };
}

describe('/v2/firewalls', () => {
  test('create, get, list, update, delete; enforced for the droplets it covers', async () => {
    const d = await droplet('fw-1');
    const created = await call('POST', '/v2/firewalls', {
      name: 'dynia-fw-1',
      inbound_rules: [web('22'), { protocol: 'icmp', sources: anywhere }],
      outbound_rules: outAll,
      droplet_ids: [d.id],
    });
    assert.equal(created.status, 202);
    const fw = created.body.firewall;
    assert.match(fw.id, /^[0-9a-f-]{36}$/);
    assert.equal(fw.status, 'waiting');
    assert.deepEqual(fw.pending_changes, [{ droplet_id: d.id, removing: false, status: 'waiting' }]);
    assert.deepEqual(fw.inbound_rules[1], { protocol: 'icmp', ports: '0', sources: anywhere });
    assert.equal(fw.outbound_rules[0].ports, '0');
    assert.deepEqual(applied(), [
      {
        dropletId: d.id,
        ip: d.ip,
        allow: [
          { protocol: 'tcp', ports: '22', sources: ['0.0.0.0/0'] },
          { protocol: 'icmp', ports: '0', sources: ['0.0.0.0/0'] },
        ],
      },
    ]);

    const got = await call('GET', `/v2/firewalls/${fw.id}`);
    assert.equal(got.body.firewall.status, 'succeeded');
    assert.deepEqual(got.body.firewall.pending_changes, []);
    assert.equal(saved.length, 1);
    const listed = await call('GET', '/v2/firewalls');
    assert.deepEqual(
      listed.body.firewalls.map((f: any) => f.id),
      [fw.id],
    );
    assert.equal(listed.body.meta.total, 1);
    assert.deepEqual(
      (await call('GET', `/v2/droplets/${d.id}/firewalls`)).body.firewalls.map((f: any) => f.id),
      [fw.id],
    );

    const put = await call('PUT', `/v2/firewalls/${fw.id}`, {
      name: 'dynia-fw-1',
      inbound_rules: [{ protocol: 'tcp', ports: '22', sources: { addresses: ['10.0.0.0/8'] } }],
      outbound_rules: outAll,
      droplet_ids: [d.id],
    });
    assert.equal(put.status, 200);
    assert.deepEqual(applied()[0]!.allow, [{ protocol: 'tcp', ports: '22', sources: ['10.0.0.0/8'] }]);

    assert.equal((await call('DELETE', `/v2/firewalls/${fw.id}`)).status, 204);
    assert.deepEqual(applied(), []);
    assert.equal((await call('GET', `/v2/firewalls/${fw.id}`)).status, 404);
    assert.equal((await call('DELETE', `/v2/firewalls/${fw.id}`)).status, 404);
  });

  test('droplets, tags and rules added and removed', async () => {
    const a = await droplet('fw-a');
    const b = await droplet('fw-b', ['edge']);
    const fw = (await call('POST', '/v2/firewalls', { name: 'edge', inbound_rules: [web('443')] })).body.firewall;
    assert.deepEqual(applied(), []);
    assert.equal((await call('POST', `/v2/firewalls/${fw.id}/droplets`, { droplet_ids: [a.id] })).status, 204);
    assert.equal((await call('POST', `/v2/firewalls/${fw.id}/droplets`, { droplet_ids: [a.id] })).status, 204);
    assert.equal((await call('POST', `/v2/firewalls/${fw.id}/tags`, { tags: ['edge'] })).status, 204);
    assert.deepEqual(
      applied().map((p) => p.dropletId),
      [a.id, b.id],
    );
    assert.equal((await call('POST', `/v2/firewalls/${fw.id}/rules`, { inbound_rules: [web('80'), web('443')] })).status, 204);
    let got = (await call('GET', `/v2/firewalls/${fw.id}`)).body.firewall;
    assert.deepEqual(
      got.inbound_rules.map((r: any) => r.ports),
      ['443', '80'],
    );
    assert.deepEqual(got.droplet_ids, [a.id]);
    assert.deepEqual(got.tags, ['edge']);
    await call('DELETE', `/v2/firewalls/${fw.id}/rules`, { inbound_rules: [web('443')] });
    await call('DELETE', `/v2/firewalls/${fw.id}/tags`, { tags: ['edge'] });
    await call('DELETE', `/v2/firewalls/${fw.id}/droplets`, { droplet_ids: [a.id] });
    got = (await call('GET', `/v2/firewalls/${fw.id}`)).body.firewall;
    assert.deepEqual([got.inbound_rules.map((r: any) => r.ports), got.droplet_ids, got.tags], [['80'], [], []]);
    assert.deepEqual(applied(), []);

    // A deleted droplet leaves the firewall.
    await call('POST', `/v2/firewalls/${fw.id}/droplets`, { droplet_ids: [a.id] });
    assert.equal((await call('DELETE', `/v2/droplets/${a.id}`)).status, 204);
    assert.deepEqual((await call('GET', `/v2/firewalls/${fw.id}`)).body.firewall.droplet_ids, []);
    assert.deepEqual(applied(), []);
    await call('DELETE', `/v2/firewalls/${fw.id}`);
  });

  test('bad requests are 400 with the error envelope; unknown ids 404', async () => {
    const bad = [
      { name: '-x', inbound_rules: [] },
      { name: 'ok' },
      { name: 'ok', inbound_rules: [{ protocol: 'sctp', ports: '1', sources: anywhere }] },
      { name: 'ok', inbound_rules: [{ protocol: 'tcp', ports: '70000', sources: anywhere }] },
      { name: 'ok', inbound_rules: [{ protocol: 'tcp', ports: '22', sources: { addresses: ['10.0.0.0/33'] } }] },
      { name: 'ok', inbound_rules: [{ protocol: 'tcp', ports: '22', sources: {} }] },
    ];
    for (const body of bad) {
      const answer = await call('POST', '/v2/firewalls', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.id, 'bad_request');
    }
    assert.equal((await call('GET', '/v2/firewalls/not-a-uuid')).status, 404);
    assert.equal((await call('POST', '/v2/firewalls/bb4b2611-3d72-467b-8602-280330ecd65c/droplets', { droplet_ids: [1] })).status, 404);
    assert.equal((await call('GET', '/v2/droplets/1/firewalls')).status, 404);
  });
});

describe('iptables rules of the sandbox packet filter', () => {
  test('one chain: replies, each allowed source and port, then drop', () => {
    const text = renderFilterChain('DYNIA-FW-3', [
      {
        dropletId: 1,
        ip: '172.29.3.10',
        allow: [
          { protocol: 'tcp', ports: '22', sources: ['172.29.3.0/24', '10.0.0.0/8'] },
          { protocol: 'tcp', ports: '8000-9000', sources: ['0.0.0.0/0'] },
          { protocol: 'icmp', ports: '0', sources: ['0.0.0.0/0'] },
        ],
      },
    ]);
    assert.equal(
      text,
      [
        '*filter',
        ':DYNIA-FW-3 - [0:0]',
        '-A DYNIA-FW-3 -d 172.29.3.10/32 -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
        '-A DYNIA-FW-3 -s 172.29.3.0/24 -d 172.29.3.10/32 -p tcp -m tcp --dport 22 -j RETURN',
        '-A DYNIA-FW-3 -s 10.0.0.0/8 -d 172.29.3.10/32 -p tcp -m tcp --dport 22 -j RETURN',
        '-A DYNIA-FW-3 -d 172.29.3.10/32 -p tcp -m tcp --dport 8000:9000 -j RETURN',
        '-A DYNIA-FW-3 -d 172.29.3.10/32 -p icmp -j RETURN',
        '-A DYNIA-FW-3 -d 172.29.3.10/32 -j DROP',
        'COMMIT',
        '',
      ].join('\n'),
    );
    assert.equal(renderFilterChain('DYNIA-FW', []), '*filter\n:DYNIA-FW - [0:0]\nCOMMIT\n');
    assert.deepEqual(hookRules('DYNIA-FW-3', '172.29.3.0/24'), [
      ['OUTPUT', '-d', '172.29.3.0/24', '-j', 'DYNIA-FW-3'],
      ['DOCKER-USER', '-d', '172.29.3.0/24', '-j', 'DYNIA-FW-3'],
    ]);
  });
});

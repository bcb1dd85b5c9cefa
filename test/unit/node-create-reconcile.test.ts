/**
 * node:create's reconcile step: what the clouds have against what state says, repaired before the steps run,
 * each repair said. Cases the fault matrix cannot reach by interrupting (something vanished meanwhile).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nodeCreate } from '../../src/commands/node-create/workflow.js';
import { nodeCreateInput } from './records.js';
import { reconcileNodeCreate } from '../../src/commands/node-create/reconcile.js';
import { FaultClock } from './fault-harness.js';
import { World } from './fault-world.js';

const input = nodeCreateInput('web-1', { healthPath: '/' });

describe('reconcileNodeCreate', () => {
  /** A create that stopped after its DNS step (killed at the next state commit's successor). */
  async function halfCreated() {
    const world = new World();
    const clock = new FaultClock();
    const deps = world.deps(clock);
    const original = deps.reporter.stepStart;
    deps.reporter.stepStart = (title) => {
      original(title);
      if (title.startsWith('Wait until the resolvers')) throw new Error('stopped');
    };
    await nodeCreate(input, deps).catch(() => undefined);
    return world;
  }

  test('nothing to repair: says nothing, changes nothing', async () => {
    const world = await halfCreated();
    const before = structuredClone(world.state);
    assert.deepEqual(await reconcileNodeCreate('web-1', world.deps(new FaultClock())), []);
    assert.deepEqual(world.state, before);
  });

  test('the recorded droplet is gone: forgotten with its IP and host key, and the re-run makes a new one', async () => {
    const world = await halfCreated();
    const id = world.state.nodes[0]!.dropletId!;
    world.droplets.delete(id);
    const repairs = await reconcileNodeCreate('web-1', world.deps(new FaultClock()));
    assert.deepEqual(repairs, [`droplet ${id} recorded in state no longer exists; a new one is created`]);
    const node = world.state.nodes[0]!;
    assert.deepEqual([node.dropletId, node.ip, node.sshHostKey, node.stepsDone], [undefined, '', undefined, []]);
    const result = await nodeCreate(input, world.deps(new FaultClock()));
    assert.equal(result.node.status, 'active');
    assert.notEqual(result.node.dropletId, id);
  });

  test('a second droplet for the name is deleted, the recorded one kept', async () => {
    const world = await halfCreated();
    const kept = world.state.nodes[0]!.dropletId!;
    const extra = await world
      .digitalocean(new FaultClock())
      .createDroplet({ name: 'web-1', region: 'nyc3', size: 's', image: 'i', sshKeys: [], tags: ['dynia', 'web-1'] });
    const messages = world.messages.length;
    assert.deepEqual(await reconcileNodeCreate('web-1', world.deps(new FaultClock())), [
      `deleted droplet ${extra.id}, a second droplet for web-1 left by an interrupted run (kept ${kept})`,
    ]);
    assert.deepEqual([...world.droplets.keys()], [kept]);
    assert.match(world.messages[messages]!, /^repaired: deleted droplet/);
  });

  test('the recorded DNS record is gone: forgotten, and the DNS step creates it again', async () => {
    const world = await halfCreated();
    const id = world.state.nodes[0]!.dnsRecordId!;
    world.records.delete(id);
    assert.deepEqual(await reconcileNodeCreate('web-1', world.deps(new FaultClock())), [
      `DNS record ${id} recorded in state no longer exists; it is created again`,
    ]);
    assert.equal(world.state.nodes[0]!.dnsRecordId, undefined);
    const result = await nodeCreate(input, world.deps(new FaultClock()));
    assert.equal([...world.records.values()].filter((r) => r.name === 'web-1.example.com').length, 1);
    assert.notEqual(result.node.dnsRecordId, id);
  });
});

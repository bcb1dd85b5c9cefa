/**
 * The fleet orchestration against scripted members: the barrier before any swap, discarding on a failure
 * before it, rolling every node back after it, the bound on parallelism, the release step's place. No waits:
 * members resolve when the test says so, and the clock is a counter.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HealthError, reasonOf } from '../../src/errors.js';
import { FleetError, runBounded, runFleet, type FleetMember } from '../../src/deploy/fleet.js';

type Phase = 'prepare' | 'swap' | 'finish';

/** A member whose phases succeed at once unless told to fail, or wait on a gate the test opens. */
class FakeMember implements FleetMember {
  swapped = false;
  closedWith: unknown = 'open';
  readonly gates = new Map<Phase, Promise<void>>();
  constructor(
    readonly node: string,
    readonly log: string[],
    readonly fail: Partial<Record<Phase, Error>> = {},
    readonly swapFailsAfterTakingTraffic = true,
  ) {}
  private async phase(name: Phase) {
    this.log.push(`${this.node} ${name}`);
    await this.gates.get(name);
    if (this.fail[name]) {
      if (name === 'swap' && this.swapFailsAfterTakingTraffic) this.swapped = true;
      throw this.fail[name];
    }
    if (name === 'swap') this.swapped = true;
    this.log.push(`${this.node} ${name} done`);
  }
  prepare = () => this.phase('prepare');
  swap = () => this.phase('swap');
  finish = () => this.phase('finish');
  async discard(reason: unknown) {
    this.log.push(`${this.node} discard (${(reason as Error).message})`);
  }
  async rollback(reason: unknown) {
    this.log.push(`${this.node} rollback (${reasonOf(reason)})`);
    return 'the previous version serves again';
  }
  async close(failure: unknown) {
    this.closedWith = failure === undefined ? 'ok' : (failure as Error).message;
  }
}

const deferred = () => {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
};
const clock = () => {
  let t = 0;
  return () => (t += 10);
};

describe('runFleet', () => {
  test('no node swaps before every node is ready, however long the slowest takes', async () => {
    const log: string[] = [];
    const a = new FakeMember('a', log);
    const b = new FakeMember('b', log);
    const slow = deferred();
    b.gates.set('prepare', slow.promise);
    const run = runFleet([a, b], { parallel: 4, now: clock() });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(log, ['a prepare', 'b prepare', 'a prepare done'], 'a waits at the barrier');
    slow.open();
    const reports = await run;
    assert.deepEqual(log.slice(3), [
      'b prepare done',
      'a swap',
      'b swap',
      'a swap done',
      'b swap done',
      'a finish',
      'b finish',
      'a finish done',
      'b finish done',
    ]);
    assert.deepEqual(
      reports.map((r) => `${r.node}:${r.outcome}`),
      ['a:deployed', 'b:deployed'],
    );
    assert.deepEqual([a.closedWith, b.closedWith], ['ok', 'ok']);
  });

  test('a node that fails before the swap: nobody swaps, the ready ones are discarded, the error names the node and why', async () => {
    const log: string[] = [];
    const a = new FakeMember('a', log);
    const b = new FakeMember('b', log, {
      prepare: HealthError('http://shop-green-web-1:8080/healthz did not answer 2xx/3xx within 5 s', 'Check the port.'),
    });
    const error = await runFleet([a, b], { parallel: 4, now: clock() }).catch((e) => e);
    assert.ok(error instanceof FleetError);
    assert.equal(error.kind, 'health');
    assert.equal(
      error.message,
      'No node swapped: b failed before the swap:\n  b: http://shop-green-web-1:8080/healthz did not answer 2xx/3xx within 5 s',
    );
    assert.equal(error.hint, 'Check the port. Every node still serves the version it served before.');
    assert.deepEqual(log, ['a prepare', 'b prepare', 'a prepare done', 'a discard (b not ready)']);
    assert.deepEqual(
      error.nodes.map((r: { node: string; outcome: string }) => `${r.node}:${r.outcome}`),
      ['a:discarded', 'b:failed'],
    );
    assert.deepEqual(
      [a.closedWith, b.closedWith],
      ['b not ready', 'http://shop-green-web-1:8080/healthz did not answer 2xx/3xx within 5 s'],
    );
  });

  test('with a bound, a failure stops new nodes from starting; those never started are reported', async () => {
    const log: string[] = [];
    const members = [new FakeMember('a', log, { prepare: new Error('refused') }), new FakeMember('b', log), new FakeMember('c', log)];
    const error = await runFleet(members, { parallel: 1, now: clock() }).catch((e) => e);
    assert.deepEqual(log, ['a prepare']);
    assert.deepEqual(
      error.nodes.map((r: { node: string; outcome: string; reason: string }) => `${r.node}:${r.outcome}:${r.reason}`),
      ['a:failed:refused', 'b:discarded:not started', 'c:discarded:not started'],
    );
  });

  test('the bound holds: never more than N nodes in a phase at once', async () => {
    let running = 0;
    let peak = 0;
    await runBounded([1, 2, 3, 4, 5], 2, async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setImmediate(r));
      running--;
    });
    assert.equal(peak, 2);
  });

  test('the release step runs once, after every node is ready and before any swap; its failure discards all', async () => {
    const log: string[] = [];
    const members = [new FakeMember('a', log), new FakeMember('b', log)];
    let runs = 0;
    const release = async () => {
      runs++;
      log.push('release');
      throw Object.assign(HealthError('release command `bin/migrate` exited with code 3:\nno such table'), {});
    };
    const error = await runFleet(members, { parallel: 4, now: clock(), release }).catch((e) => e);
    assert.equal(runs, 1);
    assert.deepEqual(log, [
      'a prepare',
      'b prepare',
      'a prepare done',
      'b prepare done',
      'release',
      'a discard (the release step failed: release command `bin/migrate` exited with code 3:)',
      'b discard (the release step failed: release command `bin/migrate` exited with code 3:)',
    ]);
    assert.match(error.message, /^No node swapped: release command `bin\/migrate` exited with code 3:\nno such table$/);
  });

  test('a failed external check on one node rolls back every node that swapped, and says so', async () => {
    const log: string[] = [];
    const a = new FakeMember('a', log);
    const b = new FakeMember('b', log, { swap: HealthError('https://b.example.com/healthz did not answer') });
    const error = await runFleet([a, b], { parallel: 4, now: clock() }).catch((e) => e);
    assert.deepEqual(log.slice(4), [
      'a swap',
      'b swap',
      'a swap done',
      'a rollback (b failed after the swap)',
      'b rollback (https://b.example.com/healthz did not answer)',
    ]);
    assert.equal(
      error.message,
      [
        'b failed after the swap:',
        '  b: https://b.example.com/healthz did not answer',
        'Rolled back on every node, so the fleet stays on one version:',
        '  a: the previous version serves again',
        '  b: the previous version serves again',
      ].join('\n'),
    );
    assert.deepEqual(
      error.nodes.map((r: { node: string; outcome: string }) => `${r.node}:${r.outcome}`),
      ['a:rolled-back', 'b:failed'],
    );
    assert.equal(log.filter((l) => l.includes('finish')).length, 0, 'nothing recorded as deployed');
  });

  test('a node that failed its swap before taking the traffic is discarded, not rolled back', async () => {
    const log: string[] = [];
    const a = new FakeMember('a', log);
    const b = new FakeMember('b', log, { swap: new Error('network connect failed') }, false);
    await runFleet([a, b], { parallel: 4, now: clock() }).catch(() => undefined);
    assert.deepEqual(log.slice(-2), ['a rollback (b failed after the swap)', 'b discard (network connect failed)']);
  });

  test('per-node time comes from the clock port', async () => {
    const reports = await runFleet([new FakeMember('a', [])], { parallel: 1, now: clock() });
    assert.deepEqual(reports, [{ node: 'a', outcome: 'deployed', ms: 10 }]);
  });
});

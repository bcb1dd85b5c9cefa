/**
 * The state lock after a kill: a dead holder's lock is taken over (and said so), a live one refuses saying it
 * runs, a reused pid or a reboot does not keep a dead lock alive, another machine's lock is reported as such.
 * The machine is a fake HostProbe, so no test waits: waitMs 0 fails at the first look.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DyniaError } from '../../src/errors.js';
import { acquireLock } from '../../src/state/lock.js';
import { liveness, realHost, type HostProbe, type LockHolder } from '../../src/state/lock-holder.js';

const BOOT = 'boot-1';
/** A machine named `here` on which only the given pids run, each with its start time. */
const machine = (running: Record<number, string>, bootId: string | undefined = BOOT): HostProbe => ({
  hostname: () => 'here',
  bootId: () => bootId,
  procStart: (pid) => running[pid],
  pidExists: (pid) => pid in running,
});
const holder = (over: Partial<LockHolder> = {}): LockHolder => ({
  pid: 4242,
  host: 'here',
  command: 'node:create --name web-1',
  startedAt: '2026-01-01T00:00:00.000Z',
  bootId: BOOT,
  procStart: '777',
  ...over,
});

function lockWith(content: LockHolder): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dynia-lock-')), 'state.lock');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

async function refusal(promise: Promise<unknown>): Promise<DyniaError> {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof DyniaError && error.kind === 'state', String(error));
  return error;
}

describe('liveness of a lock holder', () => {
  const cases: Array<[string, LockHolder, HostProbe, string, RegExp]> = [
    ['the same process still runs', holder(), machine({ 4242: '777' }), 'alive', /still running/],
    ['the pid is gone', holder(), machine({}), 'dead', /pid 4242 no longer runs$/],
    ['the pid was reused by another process', holder(), machine({ 4242: '999' }), 'dead', /belongs to another process/],
    ['the machine rebooted', holder(), machine({ 4242: '777' }, 'boot-2'), 'dead', /rebooted/],
    ['another machine', holder({ host: 'laptop' }), machine({ 4242: '777' }), 'unknown', /another machine \(laptop\)/],
    [
      'an older lock without start time, pid alive',
      holder({ procStart: undefined, bootId: undefined }),
      machine({ 4242: '1' }),
      'alive',
      /still running/,
    ],
    [
      'an older lock without start time, pid gone',
      holder({ procStart: undefined, bootId: undefined }),
      machine({}),
      'dead',
      /no longer runs/,
    ],
  ];
  for (const [what, h, host, verdict, why] of cases) {
    test(what, () => {
      const result = liveness(h, host);
      assert.equal(result.verdict, verdict);
      assert.match(result.why, why);
    });
  }

  test('the real probe: this process is alive, a finished child is dead', async () => {
    const me = {
      ...holder(),
      pid: process.pid,
      host: realHost.hostname(),
      bootId: realHost.bootId(),
      procStart: realHost.procStart(process.pid),
    };
    assert.equal(liveness(me, realHost).verdict, 'alive');
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    assert.equal(liveness({ ...me, pid: child.pid! }, realHost).verdict, 'dead');
    if (me.procStart)
      assert.equal(
        liveness({ ...me, procStart: String(Number(me.procStart) + 1) }, realHost).verdict,
        'dead',
        'same pid, other start: reused',
      );
  });
});

describe('acquireLock after a kill', () => {
  test('a dead holder is taken over, the takeover is reported, the new lock names this run', async () => {
    const path = lockWith(holder());
    const told: string[] = [];
    const release = await acquireLock(path, 'node:create --name web-1', {
      waitMs: 0,
      pollMs: 1,
      host: machine({}),
      onTakeover: (m) => told.push(m),
    });
    assert.deepEqual(told, [
      'took over the state lock left by pid 4242 on here running "node:create --name web-1" since 2026-01-01T00:00:00.000Z: pid 4242 no longer runs. Its command may have stopped half-way; this run reconciles before it acts.',
    ]);
    const mine = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(mine.pid, process.pid);
    assert.equal(mine.bootId, BOOT);
    await release();
    assert.ok(!existsSync(path));
  });

  test('a reused pid does not keep the dead lock', async () => {
    const path = lockWith(holder());
    const release = await acquireLock(path, 'x', { waitMs: 0, pollMs: 1, host: machine({ 4242: '999' }) });
    await release();
  });

  test('a live holder refuses and says it is running', async () => {
    const path = lockWith(holder());
    const error = await refusal(acquireLock(path, 'x', { waitMs: 0, pollMs: 1, host: machine({ 4242: '777' }) }));
    assert.equal(
      error.message,
      'The state is locked by pid 4242 on here running "node:create --name web-1" since 2026-01-01T00:00:00.000Z, which is still running (pid 4242 is still running on this machine).',
    );
    assert.equal(error.hint, `Wait for it to finish and retry (it removes ${path} when it ends).`);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, 4242, 'the holder keeps its lock');
  });

  test("another machine's lock refuses and says it cannot be checked, naming the file to delete", async () => {
    const path = lockWith(holder({ host: 'laptop' }));
    const error = await refusal(acquireLock(path, 'x', { waitMs: 0, pollMs: 1, host: machine({}) }));
    assert.match(
      error.message,
      /^The state is locked by pid 4242 on laptop .*; it runs on another machine \(laptop\), so whether it still runs cannot be checked from here\.$/,
    );
    assert.ok(error.hint?.includes(path));
  });

  test('a real killed process: its lock is taken over', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await once(child, 'spawn');
    const path = lockWith({
      ...holder(),
      pid: child.pid!,
      host: realHost.hostname(),
      bootId: realHost.bootId(),
      procStart: realHost.procStart(child.pid!),
    });
    await refusal(acquireLock(path, 'x', { waitMs: 0, pollMs: 1 }));
    child.kill('SIGKILL');
    await once(child, 'exit');
    const told: string[] = [];
    const release = await acquireLock(path, 'x', { waitMs: 0, pollMs: 1, onTakeover: (m) => told.push(m) });
    assert.match(told[0]!, new RegExp(`pid ${child.pid} no longer runs`));
    await release();
  });
});

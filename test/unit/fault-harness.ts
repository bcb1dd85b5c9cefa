/**
 * Fault injection as a test tier: runs a command against the fake world (fault-world.ts) once cleanly to
 * learn its moments (every cloud call, remote command, state commit and probe, each labelled with the step
 * it is in), then once per moment and fault: the run is interrupted there, a fresh run of the same command
 * follows (a new process: new sessions, the state as last committed), and the scenario's invariants are
 * asserted on the world. The result is the matrix command × moment × fault × outcome.
 *
 * Faults: `kill-before`/`kill-after` model SIGKILL just before the call takes effect or just after it did
 * (its answer lost); once killed, nothing the process does has any effect (its later calls, its catch and
 * finally blocks, its audit line). `ssh-drop`: the command ran, then the connection died; the session is
 * lost, the process goes on. `http-429`: rate limited past the client's retries (no effect). `http-500`
 * and `hang` (no answer within the client's timeout): the write may have happened; here it always did,
 * the harder case.
 *
 * Plugging in another command (app:deploy, app:rollback): write a Scenario whose `setup` brings a world to
 * the moment before the command (e.g. node:create then one deploy), whose `run` calls the workflow with
 * `world.deps(clock)` (every port is already gated), and whose `check` asserts its invariants (e.g. exactly
 * one colour runs and holds the alias, the one state calls active). Teach FakeHost the commands the workflow
 * runs (`simulate` in fault-world.ts); an unknown command succeeds with no output, so list them first with
 * a clean `moments(scenario)` run. Then `await assertConverges(scenario)` in a test.
 */
import assert from 'node:assert/strict';
import { CloudError } from '../../src/cloud/cloud-error.js';
import { reasonOf, RemoteError } from '../../src/errors.js';
import type { World } from './fault-world.js';

export type Fault = 'kill-before' | 'kill-after' | 'ssh-drop' | 'http-429' | 'http-500' | 'hang';
/** What kind of call a moment is; it decides which faults apply. */
export type Channel = 'cloud-read' | 'cloud-write' | 'ssh' | 'state' | 'probe';

const FAULTS: Record<Channel, readonly Fault[]> = {
  'cloud-read': ['kill-before', 'http-429', 'http-500', 'hang'],
  'cloud-write': ['kill-before', 'kill-after', 'http-429', 'http-500', 'hang'],
  ssh: ['kill-before', 'kill-after', 'ssh-drop'],
  state: ['kill-before', 'kill-after'],
  probe: ['kill-before'],
};

export interface Moment {
  n: number;
  channel: Channel;
  /** e.g. `DO POST /v2/droplets`, `ssh docker compose -p dynia-proxy up -d`, `state commit`. */
  label: string;
  /** The step the command was in (its title as reported). */
  step: string;
}

/** The process was SIGKILLed: thrown by every call from that moment on. */
export class Killed extends Error {
  constructor() {
    super('killed (SIGKILL)');
  }
}

/** Counts a run's calls and injects the planned fault at the planned one. */
export class FaultClock {
  readonly moments: Moment[] = [];
  step = '(before the first step)';
  /** The planned SIGKILL happened (whatever the run then returned: a killed process returns nothing). */
  killed = false;
  private dead = false;

  constructor(readonly plan?: { at: number; fault: Fault }) {}

  /** The process has ended (killed, or returned): nothing it left running may act any more. */
  end(): void {
    this.dead = true;
  }

  /**
   * Every call of every fake goes through here. `effect` is the call itself; `lose` marks an SSH session
   * dead for `ssh-drop`.
   */
  async gate<T>(channel: Channel, label: string, effect: () => T | Promise<T>, lose?: () => void): Promise<Awaited<T>> {
    if (this.dead) throw new Killed();
    const n = this.moments.length + 1;
    this.moments.push({ n, channel, label, step: this.step });
    const fault = this.plan?.at === n ? this.plan.fault : undefined;
    if (fault === 'kill-before') return this.kill();
    if (fault === 'http-429') throw cloudError(label, 429, 4);
    const result = await effect();
    if (fault === 'kill-after') return this.kill();
    if (fault === 'http-500') throw cloudError(label, 500, 1);
    if (fault === 'hang') throw cloudError(label, undefined, 1, 'no answer within 30000 ms');
    if (fault === 'ssh-drop') {
      lose?.();
      throw RemoteError(`lost the SSH connection during ${label}: read ECONNRESET`);
    }
    return result;
  }

  private kill(): never {
    this.dead = true;
    this.killed = true;
    throw new Killed();
  }
}

function cloudError(label: string, status: number | undefined, attempts: number, problem?: string): CloudError {
  const [service, method, path] = label.split(' ');
  return new CloudError({
    service: service === 'DO' ? 'DigitalOcean' : 'Cloudflare',
    method: method!,
    path: path!,
    ...(status ? { status } : {}),
    attempts,
    ...(problem ? { problem } : {}),
  });
}

export interface Scenario {
  command: string;
  /** Brings a new world to the moment before the command (not fault-injected). */
  setup(world: World): Promise<void>;
  /** Runs the command once, as one process would. */
  run(world: World, clock: FaultClock): Promise<unknown>;
  /** A re-run error that still means "converged" (e.g. destroy: no such node any more). */
  rerunAccepts?(error: unknown, world: World): boolean;
  /** Invariants after the re-run: state matches the world, nothing orphaned. Throws when violated. */
  check(world: World): void | Promise<void>;
}

export interface MatrixRow {
  command: string;
  moment: string;
  fault: Fault;
  first: string;
  rerun: string;
  repaired: string[];
  converged: boolean;
}

const brief = (error: unknown) => reasonOf(error).slice(0, 120);

async function runOnce(scenario: Scenario, world: World, clock: FaultClock): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    await scenario.run(world, clock);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clock.end();
  }
}

/** The clean run's moments: where the faults go. */
export async function moments(scenario: Scenario, newWorld: () => Promise<World>): Promise<Moment[]> {
  const world = await newWorld();
  await scenario.setup(world);
  const clock = new FaultClock();
  const outcome = await runOnce(scenario, world, clock);
  if (!outcome.ok) throw outcome.error;
  await scenario.check(world);
  return clock.moments;
}

/** Every moment × every fault that applies there: interrupt, re-run, check. */
export async function faultMatrix(scenario: Scenario, newWorld: () => Promise<World>): Promise<MatrixRow[]> {
  const rows: MatrixRow[] = [];
  for (const moment of await moments(scenario, newWorld)) {
    for (const fault of FAULTS[moment.channel]) {
      const world = await newWorld();
      await scenario.setup(world);
      const clock = new FaultClock({ at: moment.n, fault });
      const first = await runOnce(scenario, world, clock);
      world.messages.length = 0;
      const again = await runOnce(scenario, world, new FaultClock());
      let rerun = again.ok
        ? 'ok'
        : scenario.rerunAccepts?.(again.error, world)
          ? `ok (${brief(again.error)})`
          : `FAILED: ${brief(again.error)}`;
      let converged = !rerun.startsWith('FAILED');
      if (converged) {
        try {
          await scenario.check(world);
        } catch (error) {
          rerun = `DIVERGED: ${brief(error)}`;
          converged = false;
        }
      }
      rows.push({
        command: scenario.command,
        moment: `${moment.step} › ${moment.label}`,
        fault,
        first: clock.killed ? 'killed' : first.ok ? 'ok (fault absorbed)' : `failed: ${brief(first.error)}`,
        rerun,
        repaired: world.messages.filter((m) => /^(repaired|reconcile):/.test(m)),
        converged,
      });
    }
  }
  return rows;
}

/** Runs the matrix, prints it when DYNIA_FAULT_MATRIX names a file, and fails listing every case that did not converge. */
export async function assertConverges(scenario: Scenario, newWorld: () => Promise<World>): Promise<MatrixRow[]> {
  const rows = await faultMatrix(scenario, newWorld);
  if (process.env.DYNIA_FAULT_MATRIX) {
    const { appendFileSync } = await import('node:fs');
    appendFileSync(
      process.env.DYNIA_FAULT_MATRIX,
      rows.map((r) => `| ${r.command} | ${r.moment} | ${r.fault} | ${r.first} | ${r.rerun} | ${r.repaired.join('; ')} |\n`).join(''),
    );
  }
  const bad = rows.filter((r) => !r.converged);
  assert.deepEqual(
    bad.map((r) => `${r.moment} [${r.fault}] → ${r.rerun}`),
    [],
    `${bad.length} of ${rows.length} cases did not converge`,
  );
  return rows;
}

/**
 * Two interruptions in a row: killed at each moment, then the re-run killed too (at every `stride`-th of its
 * own moments), then a third run must converge. Returns how many such pairs were tried; fails listing the bad ones.
 */
export async function assertConvergesTwice(scenario: Scenario, newWorld: () => Promise<World>, stride: number): Promise<number> {
  const interrupted = async (...plans: Array<{ at: number; fault: Fault }>) => {
    const world = await newWorld();
    await scenario.setup(world);
    for (const plan of plans) await runOnce(scenario, world, new FaultClock(plan));
    return world;
  };
  const bad: string[] = [];
  let tried = 0;
  for (const first of await moments(scenario, newWorld)) {
    const firstPlan = { at: first.n, fault: 'kill-after' as const };
    const counting = new FaultClock();
    await runOnce(scenario, await interrupted(firstPlan), counting);
    for (let at = 1; at <= counting.moments.length; at += stride) {
      tried++;
      const world = await interrupted(firstPlan, { at, fault: 'kill-before' });
      const third = await runOnce(scenario, world, new FaultClock());
      const where = `${first.step} › ${first.label}, then ${counting.moments[at - 1]!.label}`;
      if (!third.ok && !scenario.rerunAccepts?.(third.error, world)) bad.push(`${where} → FAILED: ${brief(third.error)}`);
      else await Promise.resolve(scenario.check(world)).catch((error: unknown) => bad.push(`${where} → DIVERGED: ${brief(error)}`));
    }
  }
  assert.deepEqual(bad, [], `${bad.length} of ${tried} double interruptions did not converge`);
  return tried;
}

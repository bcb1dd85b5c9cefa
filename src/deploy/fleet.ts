/**
 * One deploy across several nodes, all or nothing before the swap. Every node runs its preparation (preflight,
 * start, internal health) in parallel up to a bound; only when every node is ready does the release step run
 * (once) and do the swaps start. A node that fails before that barrier means no node swaps: the others'
 * new versions are discarded. A node that fails after it (its swap, external check or record) means every
 * node that swapped is rolled back, so the fleet never ends split between versions.
 *
 * Pure orchestration: what a node does is behind `FleetMember`, so this is tested with fakes and no waits.
 */
import { DyniaError, reasonOf } from '../errors.js';

export interface FleetMember {
  readonly node: string;
  /** Up to internal health; on failure the member has removed what it started. */
  prepare(): Promise<void>;
  /** Takes the traffic and passes the external check; `swapped` says whether it got as far as taking it. */
  swap(): Promise<void>;
  readonly swapped: boolean;
  /** Records the deployment (state, node manifest). */
  finish(): Promise<void>;
  /** Before the swap: removes the prepared new version. */
  discard(reason: unknown): Promise<void>;
  /** After the swap: the previous version (or the placeholder) serves again; says what serves now. */
  rollback(reason: unknown): Promise<string>;
  /** Always called last, with how it ended for this node (audit line, close the session). */
  close(failure: unknown): Promise<void>;
}

export type NodeOutcome = 'deployed' | 'failed' | 'discarded' | 'rolled-back';

export interface FleetNodeReport {
  node: string;
  outcome: NodeOutcome;
  /** Why this node failed, or why it was discarded or rolled back. */
  reason?: string;
  /** After a rollback: what serves the domain now. */
  serving?: string;
  ms: number;
}

export interface FleetOptions {
  parallel: number;
  /** Runs once, after every node is ready and before any swap (the release step); throws to abort. */
  release?: () => Promise<void>;
  now: () => number;
}

export class FleetError extends DyniaError {
  constructor(
    kind: DyniaError['kind'],
    message: string,
    hint: string | undefined,
    readonly nodes: FleetNodeReport[],
  ) {
    super(kind, message, hint);
  }
}

/**
 * Runs `fn` over the items with at most `limit` at once; after the first failure no new item starts (those
 * in flight finish). Resolves with each started item's error (undefined: it succeeded).
 */
export async function runBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<Map<T, unknown>> {
  const done = new Map<T, unknown>();
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
        done.set(item, undefined);
      } catch (error) {
        failed = true;
        done.set(item, error ?? new Error('failed'));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return done;
}

const kindOf = (error: unknown): DyniaError['kind'] => (error instanceof DyniaError ? error.kind : 'remote');
const failures = (results: Map<FleetMember, unknown>) => [...results].filter(([, e]) => e !== undefined) as Array<[FleetMember, unknown]>;
const names = (list: Array<[FleetMember, unknown]>) => list.map(([m]) => m.node).join(', ');
const detail = (list: Array<[FleetMember, unknown]>) =>
  list.map(([m, e]) => `  ${m.node}: ${(e as Error)?.message ?? String(e)}`).join('\n');

export async function runFleet(members: readonly FleetMember[], options: FleetOptions): Promise<FleetNodeReport[]> {
  const started = new Map(members.map((m) => [m, options.now()]));
  const reports = new Map<FleetMember, FleetNodeReport>();
  const report: Report = (m, outcome, extra = {}) =>
    reports.set(m, { node: m.node, outcome, ...extra, ms: options.now() - started.get(m)! });
  const ordered = () => members.map((m) => reports.get(m) ?? { node: m.node, outcome: 'discarded' as const, reason: 'not started', ms: 0 });
  let fleetFailure: unknown;
  try {
    // 1. Every node up to internal health; the first failure stops new ones from starting.
    const prepared = await runBounded(members, options.parallel, (m) => m.prepare());
    const notReady = failures(prepared);
    if (notReady.length > 0) {
      const why = `${names(notReady)} not ready`;
      for (const [m, e] of notReady) report(m, 'failed', { reason: reasonOf(e) });
      await discardAll(
        [...prepared].filter(([, e]) => e === undefined).map(([m]) => m),
        why,
        report,
      );
      if (members.length === 1)
        throw new FleetError(kindOf(notReady[0]![1]), (notReady[0]![1] as Error).message, (notReady[0]![1] as DyniaError).hint, ordered());
      throw new FleetError(
        kindOf(notReady[0]![1]),
        `No node swapped: ${names(notReady)} failed before the swap:\n${detail(notReady)}`,
        hintOf(notReady[0]![1]),
        ordered(),
      );
    }
    // 2. The release step, once, on a fleet where every node runs the new version beside the old.
    if (options.release) {
      try {
        await options.release();
      } catch (error) {
        await discardAll(members, `the release step failed: ${reasonOf(error)}`, report);
        throw new FleetError(kindOf(error), `No node swapped: ${(error as Error).message}`, hintOf(error), ordered());
      }
    }
    // 3. The swaps, then the records; any failure rolls back every node that swapped.
    const swapped = await runBounded(members, options.parallel, (m) => m.swap());
    let bad = failures(swapped);
    if (bad.length === 0) bad = failures(await runBounded(members, options.parallel, (m) => m.finish()));
    if (bad.length > 0) {
      const why = `${names(bad)} failed after the swap`;
      const back = await Promise.all(
        members.map(async (m) => {
          const own = bad.find(([x]) => x === m)?.[1];
          const cause = own ?? new Error(why);
          let serving: string;
          if (m.swapped) serving = await m.rollback(cause).catch((e) => `rollback failed: ${reasonOf(e)}`);
          else
            serving = await m.discard(cause).then(
              () => 'new version removed, the previous one never stopped serving',
              (e) => `removing the new version failed: ${reasonOf(e)}`,
            );
          report(m, own ? 'failed' : m.swapped ? 'rolled-back' : 'discarded', { reason: own ? reasonOf(own) : why, serving });
          return `  ${m.node}: ${serving}`;
        }),
      );
      // One node: the same error a single deploy always gave.
      if (members.length === 1)
        throw new FleetError(
          'health',
          `${(bad[0]![1] as Error).message}\nRolled back: ${reports.get(members[0]!)!.serving}.`,
          (bad[0]![1] as DyniaError).hint,
          ordered(),
        );
      throw new FleetError(
        kindOf(bad[0]![1]),
        `${why}:\n${detail(bad)}\nRolled back on every node, so the fleet stays on one version:\n${back.join('\n')}`,
        hintOf(bad[0]![1]),
        ordered(),
      );
    }
    for (const m of members) report(m, 'deployed');
    return ordered();
  } catch (error) {
    fleetFailure = error;
    throw error;
  } finally {
    // Each node's own audit line says how it ended for that node.
    await Promise.all(members.map((m) => m.close(nodeFailure(reports.get(m), fleetFailure))));
  }
}

type Report = (m: FleetMember, outcome: NodeOutcome, extra?: Partial<FleetNodeReport>) => void;

async function discardAll(members: readonly FleetMember[], reason: string, report: Report): Promise<void> {
  await Promise.all(
    members.map(async (m) => {
      const serving = await m.discard(new Error(reason)).then(
        () => 'new version removed',
        (e) => `removing the new version failed: ${reasonOf(e)}`,
      );
      report(m, 'discarded', { reason, serving });
    }),
  );
}

function nodeFailure(report: FleetNodeReport | undefined, fleet: unknown): unknown {
  if (fleet === undefined) return undefined;
  if (report?.outcome === 'deployed') return undefined;
  return new Error(report?.reason ?? reasonOf(fleet));
}

const hintOf = (error: unknown): string | undefined =>
  `${error instanceof DyniaError && error.hint ? `${error.hint} ` : ''}Every node still serves the version it served before.`;

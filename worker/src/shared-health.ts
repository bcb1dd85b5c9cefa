/**
 * Active health verdicts, as the Cron Trigger writes them to KV and every isolate reads them. Pure: the
 * record is plain JSON, time comes from the caller.
 */

export const HEALTH_KEY = 'health:v1';

/**
 * KV's free plan allows 1,000 writes a day: a probe every minute may not write every minute. The record is
 * written when a verdict or a failure count changes, and otherwise at most this often, so that `checkedAt`
 * still tells that the probes run.
 */
export const HEARTBEAT_MS = 10 * 60_000;

export interface OriginVerdict {
  up: boolean;
  /** Consecutive failed probes (0 after a success). */
  failures: number;
  /** When `up` last changed (ISO). */
  since: string;
  /** Last probe of this origin (ISO). */
  checkedAt: string;
  /** What the last failed probe saw, e.g. `HTTP 503`, `timeout`, `connection failed`. */
  error?: string;
}

export interface HealthRecord {
  /** When the probes that produced this record ran (ISO). */
  checkedAt: string;
  origins: Record<string, OriginVerdict>;
}

export interface ProbeOutcome {
  origin: string;
  ok: boolean;
  /** Failed probes in this run before the outcome (consecutive, this run only). */
  failedAttempts: number;
  error?: string;
}

/**
 * The next record after one run of probes. An origin goes down only after `failuresToDown` consecutive failed
 * probes (counted across runs); one success brings it back. Origins no longer configured are forgotten.
 */
export function nextRecord(
  previous: HealthRecord | null,
  outcomes: readonly ProbeOutcome[],
  now: Date,
  failuresToDown: number,
): HealthRecord {
  const at = now.toISOString();
  const origins: Record<string, OriginVerdict> = {};
  for (const outcome of outcomes) {
    const before = previous?.origins[outcome.origin];
    const failures = outcome.ok ? 0 : (before?.failures ?? 0) + outcome.failedAttempts;
    const up = outcome.ok ? true : failures < failuresToDown ? (before?.up ?? true) : false;
    origins[outcome.origin] = {
      up,
      failures,
      since: before && before.up === up ? before.since : at,
      checkedAt: at,
      ...(outcome.ok || outcome.error === undefined ? {} : { error: outcome.error }),
    };
  }
  return { checkedAt: at, origins };
}

/** Whether the record must be written: something an isolate or `slb:status` cares about changed, or the heartbeat is due. */
export function worthWriting(previous: HealthRecord | null, next: HealthRecord, now: Date): boolean {
  if (previous === null) return true;
  if (now.getTime() - Date.parse(previous.checkedAt) >= HEARTBEAT_MS) return true;
  const before = Object.keys(previous.origins).sort();
  const after = Object.keys(next.origins).sort();
  if (before.join('\n') !== after.join('\n')) return true;
  return after.some((origin) => {
    const a = previous.origins[origin]!;
    const b = next.origins[origin]!;
    return a.up !== b.up || a.failures !== b.failures || a.error !== b.error;
  });
}

/** The origins the record says are down; anything unknown or malformed counts as up. */
export function downOrigins(record: unknown): Set<string> {
  const down = new Set<string>();
  if (typeof record !== 'object' || record === null) return down;
  const origins = (record as { origins?: unknown }).origins;
  if (typeof origins !== 'object' || origins === null) return down;
  for (const [origin, verdict] of Object.entries(origins)) {
    if (typeof verdict === 'object' && verdict !== null && (verdict as { up?: unknown }).up === false) down.add(origin);
  }
  return down;
}

/** A record read back from KV, or null when it is missing or not one of ours. */
export function asRecord(value: unknown): HealthRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Partial<HealthRecord>;
  if (typeof record.checkedAt !== 'string' || typeof record.origins !== 'object' || record.origins === null) return null;
  return record as HealthRecord;
}

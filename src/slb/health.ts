/** Health-checks every origin candidate in parallel (bounded), retrying a failed probe once. */
import type { ProbeResult } from '../health/probe.js';
import type { Clock } from '../lib/clock.js';
import { dropReason, type DroppedOrigin, type OriginCandidate } from './origins.js';

export type Probe = (url: string) => Promise<ProbeResult>;

export interface HealthCheckOptions {
  /** Probes in flight at once (each is one TLS connection). */
  concurrency: number;
  /** Attempts per origin; a later one only runs after a failure. */
  attempts: number;
  /** Pause before a retry, so a node in the middle of a reload gets a moment. */
  retryDelayMs: number;
}

export const HEALTH_DEFAULTS: HealthCheckOptions = { concurrency: 16, attempts: 2, retryDelayMs: 250 };

export interface HealthVerdict {
  healthy: OriginCandidate[];
  dropped: DroppedOrigin[];
}

/** Keeps the candidates whose health URL answers 2xx/3xx over valid HTTPS, in their original order. */
export async function checkOrigins(
  candidates: readonly OriginCandidate[],
  probe: Probe,
  options: HealthCheckOptions,
  clock: Pick<Clock, 'sleep'>,
): Promise<HealthVerdict> {
  const verdicts = await mapLimit(candidates, options.concurrency, async (candidate) => {
    let attempt = 0;
    for (;;) {
      attempt++;
      const result = await probe(candidate.healthUrl);
      if (result.ok) return undefined;
      if (attempt >= options.attempts) return dropReason(result, attempt);
      await clock.sleep(options.retryDelayMs);
    }
  });
  const healthy: OriginCandidate[] = [];
  const dropped: DroppedOrigin[] = [];
  candidates.forEach((candidate, i) => {
    const reason = verdicts[i];
    if (reason === undefined) healthy.push(candidate);
    else dropped.push({ origin: candidate.origin, reason });
  });
  return { healthy, dropped };
}

/** `items.map(fn)` with at most `limit` calls running at once; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** When and how long to wait before repeating a cloud API call. Pure: time and randomness come in. */

export interface RetryPolicy {
  /** Retries of one request after its first attempt. */
  maxRetries: number;
  /** First backoff step; doubles per retry. */
  baseDelayMs: number;
  /** Cap on any single wait, including one asked for by `retry-after`. */
  maxDelayMs: number;
  /** Retries allowed across all requests of one client, so a failing API cannot stretch a run indefinitely. */
  budget: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 20_000, budget: 30 };

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/**
 * 429 means the request was refused before it was processed, so any method may repeat it. A 5xx, a network
 * error or a timeout may come after the work was done, so only idempotent requests (or POSTs the caller
 * marked as safe to repeat) are retried then.
 */
export function isRetryable(failure: { method: string; status?: number; retrySafe?: boolean }): boolean {
  if (failure.status === 429) return true;
  const repeatable = IDEMPOTENT_METHODS.has(failure.method) || failure.retrySafe === true;
  if (failure.status === undefined) return repeatable;
  return repeatable && failure.status >= 500 && failure.status !== 501;
}

/** `retry-after` as milliseconds: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** DigitalOcean's `ratelimit-reset` (epoch seconds) as a wait, for 429s that carry no `retry-after`. */
export function parseRateLimitReset(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Math.max(0, Number(value.trim()) * 1000 - nowMs);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so parallel clients spread out. */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

/** The wait before retry number `retry`: what the server asked for (capped) or the backoff. */
export function retryDelay(retry: number, serverAskedMs: number | undefined, policy: RetryPolicy, random: () => number): number {
  if (serverAskedMs !== undefined) return Math.min(policy.maxDelayMs, serverAskedMs);
  return backoffDelay(retry, policy, random);
}

/**
 * When a request may be sent to a second origin. Pure.
 *
 * Rule: only idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE) are ever replayed, and only when the Worker
 * holds the whole body (none, or buffered because Content-Length <= REPLAY_BODY_LIMIT). They are replayed after
 * a connection error, a timeout or a 502/503/504.
 * POST, PATCH and every other method are sent once and never replayed. Replaying them would be safe only if
 * the first attempt provably never reached the origin, and workerd cannot tell us that: a refused connection
 * and one lost after the request was written both reject with the same "Network connection lost." error.
 * Bodies larger than the limit, or of unknown length (chunked), are streamed once and never replayed.
 */

export const REPLAY_BODY_LIMIT = 64 * 1024;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Statuses that mean "this origin could not serve it right now": the next origin may. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export type BodyPlan = 'none' | 'buffer' | 'stream';

/** How to carry the body: buffer it only when that buys a possible replay. */
export function planBody(method: string, hasBody: boolean, contentLength: string | null, limit = REPLAY_BODY_LIMIT): BodyPlan {
  if (!hasBody || method === 'GET' || method === 'HEAD') return 'none';
  if (!IDEMPOTENT.has(method) || contentLength === null || !/^\d+$/.test(contentLength)) return 'stream';
  return Number(contentLength) <= limit ? 'buffer' : 'stream';
}

export function canReplay(method: string, body: BodyPlan): boolean {
  return IDEMPOTENT.has(method) && body !== 'stream';
}

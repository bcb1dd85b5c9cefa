/** Injected failures for tests: the next `count` matching API requests fail with a status or hang. */

export interface FaultSpec {
  match?: { method?: string; path?: string };
  count: number;
  status?: number;
  /** Seconds; sent as `retry-after` (a 429 always carries one). */
  retryAfter?: number;
  /** Never answer; the request stays open until its socket closes. */
  hang?: boolean;
}

export type Fault = { kind: 'hang' } | { kind: 'status'; status: number; retryAfter?: number };

export interface QueuedFault {
  method?: string;
  /** Prefix of the path after `/client/v4`. */
  pathPrefix?: string;
  remaining: number;
  fault: Fault;
}

/** A malformed admin request (rendered as a plain 400, not a Cloudflare envelope). */
export class AdminRequestError extends Error {}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new AdminRequestError(`${field} must be a non-empty string`);
  return value;
}

/** Validates an admin request body (a FaultSpec) into a queued fault. */
export function parseFaultSpec(body: unknown): QueuedFault {
  if (!isObject(body)) throw new AdminRequestError('fault must be a JSON object');
  const { match = {}, count, status, retryAfter, hang } = body;
  if (!isObject(match)) throw new AdminRequestError('match must be an object');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new AdminRequestError('count must be a positive integer');
  }
  if (hang !== undefined && typeof hang !== 'boolean') throw new AdminRequestError('hang must be a boolean');
  if (retryAfter !== undefined && (typeof retryAfter !== 'number' || !Number.isInteger(retryAfter) || retryAfter < 0)) {
    throw new AdminRequestError('retryAfter must be a non-negative integer');
  }
  let fault: Fault;
  if (hang === true) {
    if (status !== undefined) throw new AdminRequestError('a fault either hangs or has a status, not both');
    fault = { kind: 'hang' };
  } else {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
      throw new AdminRequestError('status must be an HTTP error status (400-599) unless hang is true');
    }
    fault = retryAfter === undefined ? { kind: 'status', status } : { kind: 'status', status, retryAfter };
  }
  return {
    method: optionalString(match.method, 'match.method')?.toUpperCase(),
    pathPrefix: optionalString(match.path, 'match.path'),
    remaining: count,
    fault,
  };
}

export class FaultQueue {
  private queued: QueuedFault[] = [];

  add(fault: QueuedFault): void {
    this.queued.push(fault);
  }

  clear(): void {
    this.queued = [];
  }

  /** The fault for this request, if any; the oldest matching entry is consumed first. */
  take(method: string, path: string): Fault | undefined {
    const entry = this.queued.find(
      (q) => (q.method === undefined || q.method === method) && (q.pathPrefix === undefined || path.startsWith(q.pathPrefix)),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.queued = this.queued.filter((q) => q !== entry);
    return entry.fault;
  }
}

/** Default seconds a 429 asks the client to wait when the fault names none. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** The Cloudflare error a status fault answers with, and its headers. */
export function faultReply(fault: { status: number; retryAfter?: number }): {
  headers: Record<string, string>;
  error: { code: number; message: string };
} {
  const retryAfter = fault.retryAfter ?? (fault.status === 429 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  return { headers, error: faultError(fault.status) };
}

function faultError(status: number): { code: number; message: string } {
  if (status === 429) return { code: 971, message: 'Please wait and consider throttling your request speed' };
  if (status === 401 || status === 403) return { code: 10000, message: 'Authentication error' };
  if (status === 404) return { code: 7000, message: 'No route for that URI' };
  if (status >= 500) return { code: 10002, message: 'Unexpected internal server error' };
  return { code: 6003, message: 'Invalid request headers' };
}

/**
 * Injected failures for tests, the same for both emulators: the next `count` matching API requests fail with a
 * status or hang. Each emulator renders a status fault in its own API's error format.
 */

export interface FaultSpec {
  match?: { method?: string; path?: string };
  count: number;
  status?: number;
  /** Seconds; sent as `retry-after`. */
  retryAfter?: number;
  /** Never answer; the request stays open until its socket closes. */
  hang?: boolean;
}

export type Fault = { kind: 'hang' } | { kind: 'status'; status: number; retryAfter?: number };

export interface QueuedFault {
  method?: string;
  /** Prefix of the API path (after the API's own prefix, e.g. `/client/v4`). */
  pathPrefix?: string;
  remaining: number;
  fault: Fault;
}

/** A malformed control request (answered 400 by the control handler). */
export class ControlRequestError extends Error {}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new ControlRequestError(`${field} must be a non-empty string`);
  return value;
}

/** Validates a control request body (a FaultSpec) into a queued fault. */
export function parseFaultSpec(body: unknown): QueuedFault {
  if (!isObject(body)) throw new ControlRequestError('fault must be a JSON object');
  const { match = {}, count, status, retryAfter, hang } = body;
  if (!isObject(match)) throw new ControlRequestError('match must be an object');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw new ControlRequestError('count must be a positive integer');
  if (hang !== undefined && typeof hang !== 'boolean') throw new ControlRequestError('hang must be a boolean');
  if (retryAfter !== undefined && (typeof retryAfter !== 'number' || !Number.isInteger(retryAfter) || retryAfter < 0)) {
    throw new ControlRequestError('retryAfter must be a non-negative integer');
  }
  let fault: Fault;
  if (hang === true) {
    if (status !== undefined) throw new ControlRequestError('a fault either hangs or has a status, not both');
    fault = { kind: 'hang' };
  } else {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
      throw new ControlRequestError('status must be an HTTP error status (400-599) unless hang is true');
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

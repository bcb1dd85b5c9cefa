/** Injected failures for tests: the next `count` matching API requests fail or hang. */
import { badRequest } from './api-error.js';

export interface FaultSpec {
  match?: { method?: string; path?: string };
  count: number;
  status?: number;
  /** Seconds; sent as `retry-after` on a 429. */
  retryAfter?: number;
  /** Never answer; the request stays open until its socket closes. */
  hang?: boolean;
}

export type Fault = { kind: 'hang' } | { kind: 'status'; status: number; retryAfter?: number };

interface QueuedFault {
  method?: string;
  pathPrefix?: string;
  remaining: number;
  fault: Fault;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optionalString = (value: unknown, field: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw badRequest(`${field} must be a non-empty string`);
  return value;
};

/** Validates an admin request body into a queued fault. */
export function parseFaultSpec(body: unknown): QueuedFault {
  if (!isObject(body)) throw badRequest('fault must be a JSON object');
  const { match = {}, count, status, retryAfter, hang } = body;
  if (!isObject(match)) throw badRequest('match must be an object');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw badRequest('count must be a positive integer');
  if (hang !== undefined && typeof hang !== 'boolean') throw badRequest('hang must be a boolean');
  if (retryAfter !== undefined && (typeof retryAfter !== 'number' || !Number.isInteger(retryAfter) || retryAfter < 0)) {
    throw badRequest('retryAfter must be a non-negative integer');
  }
  let fault: Fault;
  if (hang === true) {
    if (status !== undefined) throw badRequest('a fault either hangs or has a status, not both');
    fault = { kind: 'hang' };
  } else {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
      throw badRequest('status must be an HTTP error status (400-599) unless hang is true');
    }
    fault = retryAfter === undefined ? { kind: 'status', status } : { kind: 'status', status, retryAfter };
  }
  const method = optionalString(match.method, 'match.method')?.toUpperCase();
  const pathPrefix = optionalString(match.path, 'match.path');
  return { method, pathPrefix, remaining: count, fault };
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

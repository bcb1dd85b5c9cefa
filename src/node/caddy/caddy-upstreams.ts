/**
 * Caddy's own view of its upstreams: `GET /reverse_proxy/upstreams` on the admin endpoint (localhost:2019, only
 * inside the Caddy container). Caddy 2.6 lists a `dynamic a` upstream exactly while a request's proxy attempt
 * holds it: every address of that attempt's (cached) resolution, each with the requests in flight at it.
 */
import { RemoteError } from '../../errors.js';

export const UPSTREAMS_URL = 'http://127.0.0.1:2019/reverse_proxy/upstreams';

export interface UpstreamStatus {
  /** `ip:port` as Caddy dials it. */
  address: string;
  numRequests: number;
  fails: number;
}

/** The admin API's answer, checked: anything else means it is not the Caddy Dynia expects. */
export function parseUpstreams(text: string): UpstreamStatus[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw RemoteError(`Caddy's ${UPSTREAMS_URL} did not answer JSON: ${text.trim().slice(0, 200) || 'empty answer'}`);
  }
  if (!Array.isArray(value))
    throw RemoteError(`Caddy's ${UPSTREAMS_URL} answered ${JSON.stringify(value).slice(0, 200)}, not a list of upstreams.`);
  return value.map((entry, i) => {
    const { address, num_requests: numRequests, fails } = (entry ?? {}) as Record<string, unknown>;
    if (typeof address !== 'string' || typeof numRequests !== 'number' || typeof fails !== 'number') {
      throw RemoteError(`Caddy's ${UPSTREAMS_URL} entry ${i} is ${JSON.stringify(entry)}; expected {address, num_requests, fails}.`);
    }
    return { address, numRequests, fails };
  });
}

/** One line for messages: `172.18.0.4:8080 (3 in flight)`, or `none` (no request in flight anywhere). */
export const describeUpstreams = (upstreams: readonly UpstreamStatus[]): string =>
  upstreams.length === 0
    ? 'none'
    : upstreams.map((u) => `${u.address} (${u.numRequests} in flight${u.fails ? `, ${u.fails} failed` : ''})`).join(', ');

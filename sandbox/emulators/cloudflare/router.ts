/** A minimal method + path-pattern router (`/zones/:zone_id/dns_records`). */
import type { IncomingHttpHeaders } from 'node:http';

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Full path as the client sent it (incl. `/client/v4`), for Cloudflare's "could not route" messages. */
  fullPath: string;
  /** Request body parsed as JSON (Cloudflare's 6007 error if malformed; `undefined` when empty). */
  json(): Promise<unknown>;
  raw(): Promise<Buffer>;
}

/** A handler's answer: a JSON body, or raw bytes with their own content type. */
export type Reply = { status?: number; json: unknown } | { status?: number; bytes: Uint8Array; contentType: string };

export type Handler = (ctx: RouteContext) => Promise<Reply>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export type RouteMatch =
  | { kind: 'found'; handler: Handler; params: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'none' };

const split = (path: string): string[] => path.split('/').filter((s) => s !== '');

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const a = actual[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(a);
    else if (p !== a) return undefined;
  }
  return params;
}

export class Router {
  private routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): void {
    this.routes.push({ method, segments: split(pattern), handler });
  }

  match(method: string, path: string): RouteMatch {
    const actual = split(path);
    let pathKnown = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, actual);
      if (!params) continue;
      if (route.method === method) return { kind: 'found', handler: route.handler, params };
      pathKnown = true;
    }
    return pathKnown ? { kind: 'method-not-allowed' } : { kind: 'none' };
  }
}

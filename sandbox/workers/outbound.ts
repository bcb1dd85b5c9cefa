/** Bridges a Worker's subrequests to a plain web-platform `outbound` function. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export type Outbound = (request: Request) => Promise<Response>;

/** Headers Miniflare adds on its way to a custom service; not part of the Worker's request. */
const MINIFLARE_HEADERS = new Set(['mf-custom-node-service']);

/**
 * Miniflare's `outboundService` in its Node form. A failed subrequest must reach the Worker as a rejected
 * `fetch()`, as on Cloudflare (the SLB fails over on that): the function form would turn it into an HTTP 500,
 * so on failure this drops the connection instead. workerd hands this form the path and the Host only, not
 * the scheme, so the caller says which one its Workers use (the SLB's origins are `https://<node fqdn>`).
 */
export function nodeOutboundService(outbound: Outbound, scheme: 'http' | 'https') {
  return {
    async node(req: IncomingMessage, res: ServerResponse): Promise<void> {
      let response: Response;
      try {
        const headers = new Headers();
        for (const [key, value] of Object.entries(req.headers)) {
          if (value === undefined || MINIFLARE_HEADERS.has(key)) continue;
          for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
        }
        const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
        const init = {
          method: req.method,
          headers,
          body: hasBody ? (Readable.toWeb(req) as ReadableStream) : null,
          redirect: 'manual',
          duplex: 'half',
        } as RequestInit;
        response = await outbound(new Request(`${scheme}://${req.headers.host}${req.url}`, init));
      } catch {
        res.socket?.destroy();
        return;
      }
      const headers: string[] = [];
      response.headers.forEach((value, key) => headers.push(key, value));
      res.writeHead(response.status, headers);
      if (response.body) Readable.fromWeb(response.body as WebReadableStream).pipe(res);
      else res.end();
    },
  };
}

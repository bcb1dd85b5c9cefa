/** The `/v2` request pipeline: log → injected faults → auth → rate limit → route → error envelope. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, notFound } from './api-error.js';
import { isAuthorized } from './auth.js';
import type { FaultQueue } from '../controls/faults.js';
import { readJsonBody, send } from './http-io.js';
import { rateLimitHeaders, type RateLimiter } from './rate-limit.js';
import type { RequestLog } from '../controls/request-log.js';
import { matchRoute, type Route } from './router.js';

export interface ApiDeps {
  token: string;
  routes: readonly Route[];
  limiter: RateLimiter;
  faults: FaultQueue;
  log: RequestLog;
  /** The emulator's own URL, for links when a request has no Host header. */
  fallbackBase: () => string;
}

export function createApiHandler(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://emulator');
    const entry = deps.log.start(method, url.pathname + url.search);
    res.once('finish', () => (entry.status = res.statusCode));

    const fault = deps.faults.take(method, url.pathname + url.search);
    if (fault?.kind === 'hang') return; // closed with the socket, by the client or by close()
    if (fault) {
      const limits = rateLimitHeaders(fault.status === 429 ? { ...deps.limiter.state(), remaining: 0 } : deps.limiter.state());
      if (fault.status === 429 && fault.retryAfter !== undefined) limits['retry-after'] = String(fault.retryAfter);
      send(res, fault.status, limits, new ApiError(fault.status).envelope());
      return;
    }

    const isApi = url.pathname === '/v2' || url.pathname.startsWith('/v2/');
    if (isApi && !isAuthorized(req.headers.authorization, deps.token)) {
      send(res, 401, rateLimitHeaders(deps.limiter.state()), new ApiError(401).envelope());
      return;
    }
    const quota = isApi ? deps.limiter.take() : { ...deps.limiter.state(), allowed: true };
    const limits = rateLimitHeaders(quota);
    if (!quota.allowed) {
      send(res, 429, limits, new ApiError(429).envelope());
      return;
    }

    try {
      const match = matchRoute(deps.routes, method, url.pathname);
      if (!match) throw notFound();
      const answer = await match.handler({
        method,
        url,
        params: match.params,
        base: req.headers.host ? `http://${req.headers.host}` : deps.fallbackBase(),
        json: () => readJsonBody(req),
      });
      send(res, answer.status, limits, answer.body, answer.jsonContentType);
    } catch (error) {
      // Anything unexpected (e.g. a host driver failure) is the API's generic 500; details stay out of the answer.
      const apiError = error instanceof ApiError ? error : new ApiError(500);
      if (!(error instanceof ApiError))
        console.error(`digitalocean emulator: ${method} ${url.pathname} failed: ${(error as Error).message}`);
      send(res, apiError.status, limits, apiError.envelope());
    }
  };
}

/** The `/client/v4` request pipeline: log → injected faults → auth → route → envelope. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authFailure } from './auth.js';
import { CfApiError, cfError, failureEnvelope, malformedJson, noRoute } from './envelope.js';
import type { FaultQueue } from '../controls/faults.js';
import { faultReply } from './fault-reply.js';
import { readBody, sendBytes, sendJson } from './http-io.js';
import type { RequestLog } from '../controls/request-log.js';
import type { RouteContext, Router } from './router.js';

export const API_PREFIX = '/client/v4';

export interface ApiDeps {
  token: string;
  router: Router;
  faults: FaultQueue;
  log: RequestLog;
}

function contextFor(req: IncomingMessage, url: URL, params: Record<string, string>): RouteContext {
  let body: Promise<Buffer> | undefined;
  const raw = () => (body ??= readBody(req));
  return {
    params,
    query: url.searchParams,
    headers: req.headers,
    fullPath: url.pathname,
    raw,
    json: async () => {
      const text = (await raw()).toString('utf8');
      if (text.trim() === '') return undefined;
      try {
        return JSON.parse(text);
      } catch {
        throw malformedJson();
      }
    },
  };
}

export function createApiHandler(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const fail = (res: ServerResponse, error: CfApiError, headers: Record<string, string> = {}) =>
    sendJson(res, error.status, failureEnvelope(error.errors), headers);

  return async (req, res) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://emulator');
    const apiPath = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : undefined;
    if (apiPath === undefined) return fail(res, noRoute(url.pathname));

    const entry = deps.log.start(method, apiPath + url.search);
    res.once('finish', () => (entry.status = res.statusCode));

    const fault = deps.faults.take(method, apiPath + url.search);
    if (fault?.kind === 'hang') return; // answered never; the socket closes with the client or close()
    if (fault) {
      const { headers, error } = faultReply(fault);
      return sendJson(res, fault.status, failureEnvelope([error]), headers);
    }

    const denied = authFailure(req.headers, deps.token);
    if (denied) return fail(res, denied);

    try {
      const match = deps.router.match(method, apiPath);
      if (match.kind === 'none') throw noRoute(url.pathname);
      if (match.kind === 'method-not-allowed') throw cfError(405, 10405, `Method ${method} not allowed for this route.`);
      const reply = await match.handler(contextFor(req, url, match.params));
      if ('json' in reply) sendJson(res, reply.status ?? 200, reply.json);
      else sendBytes(res, reply.status ?? 200, reply.bytes, reply.contentType);
    } catch (error) {
      if (error instanceof CfApiError) return fail(res, error);
      // Unexpected failures (e.g. a DNS sink error) are the API's generic 500; details go to stderr only.
      console.error(`cloudflare emulator: ${method} ${apiPath} failed: ${(error as Error).message}`);
      fail(res, cfError(500, 10002, 'Unexpected internal server error'));
    }
  };
}

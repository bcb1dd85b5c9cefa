/** `/__sandbox/*`: test-only controls (faults, request log). No bearer token; loopback clients only. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, notFound } from './api-error.js';
import { parseFaultSpec, type FaultQueue } from './faults.js';
import { readJsonBody, send } from './http-io.js';
import type { RequestLog } from './request-log.js';

const isLoopback = (address: string | undefined): boolean =>
  address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));

export function createAdminHandler(faults: FaultQueue, log: RequestLog): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const route = `${req.method} ${new URL(req.url ?? '/', 'http://emulator').pathname}`;
    try {
      if (!isLoopback(req.socket.remoteAddress)) throw new ApiError(403, 'The sandbox controls only answer loopback clients.');
      switch (route) {
        case 'POST /__sandbox/faults':
          faults.add(parseFaultSpec(await readJsonBody(req)));
          return send(res, 204, {});
        case 'DELETE /__sandbox/faults':
          faults.clear();
          return send(res, 204, {});
        case 'GET /__sandbox/requests':
          return send(res, 200, {}, log.list());
        case 'DELETE /__sandbox/requests':
          log.clear();
          return send(res, 204, {});
        default:
          throw notFound();
      }
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(500);
      send(res, apiError.status, {}, apiError.envelope());
    }
  };
}

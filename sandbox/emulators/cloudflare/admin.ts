/** `/__sandbox/*`: test-only controls (faults, request log). No bearer token; loopback clients only. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { failureEnvelope } from './envelope.js';
import { AdminRequestError, parseFaultSpec, type FaultQueue } from './faults.js';
import { readBody, sendEmpty, sendJson } from './http-io.js';
import type { RequestLog } from './request-log.js';

const isLoopback = (address: string | undefined): boolean =>
  address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));

async function readJson(req: IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse((await readBody(req)).toString('utf8'));
  } catch {
    throw new AdminRequestError('The request body is not valid JSON.');
  }
}

export function createAdminHandler(faults: FaultQueue, log: RequestLog): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const fail = (res: ServerResponse, status: number, message: string) =>
    sendJson(res, status, failureEnvelope([{ code: 1000, message }]));
  return async (req, res) => {
    if (!isLoopback(req.socket.remoteAddress)) return fail(res, 403, 'The sandbox controls only answer loopback clients.');
    const route = `${req.method} ${new URL(req.url ?? '/', 'http://emulator').pathname}`;
    try {
      switch (route) {
        case 'POST /__sandbox/faults':
          faults.add(parseFaultSpec(await readJson(req)));
          return sendEmpty(res, 204);
        case 'DELETE /__sandbox/faults':
          faults.clear();
          return sendEmpty(res, 204);
        case 'GET /__sandbox/requests':
          return sendJson(res, 200, log.list());
        case 'DELETE /__sandbox/requests':
          log.clear();
          return sendEmpty(res, 204);
        default:
          return fail(res, 404, `No sandbox control at ${route}.`);
      }
    } catch (error) {
      if (error instanceof AdminRequestError) return fail(res, 400, error.message);
      throw error;
    }
  };
}

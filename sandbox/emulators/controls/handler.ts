/** `/__sandbox/*`: test-only controls (faults, request log) of either emulator. No bearer token; loopback only. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ControlRequestError, parseFaultSpec, type FaultQueue } from './faults.js';
import type { RequestLog } from './request-log.js';

const isLoopback = (address: string | undefined): boolean =>
  address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ControlRequestError('The request body is not valid JSON.');
  }
}

function answer(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** `errorBody` renders a refusal in the emulated API's own error format. */
export function createControlHandler(
  faults: FaultQueue,
  log: RequestLog,
  errorBody: (status: number, message: string) => unknown,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const refuse = (res: ServerResponse, status: number, message: string) => answer(res, status, errorBody(status, message));
  return async (req, res) => {
    if (!isLoopback(req.socket.remoteAddress)) return refuse(res, 403, 'The sandbox controls only answer loopback clients.');
    const route = `${req.method} ${new URL(req.url ?? '/', 'http://emulator').pathname}`;
    try {
      switch (route) {
        case 'POST /__sandbox/faults':
          faults.add(parseFaultSpec(await readJson(req)));
          return answer(res, 204);
        case 'DELETE /__sandbox/faults':
          faults.clear();
          return answer(res, 204);
        case 'GET /__sandbox/requests':
          return answer(res, 200, log.list());
        case 'DELETE /__sandbox/requests':
          log.clear();
          return answer(res, 204);
        default:
          return refuse(res, 404, `No sandbox control at ${route}.`);
      }
    } catch (error) {
      if (error instanceof ControlRequestError) return refuse(res, 400, error.message);
      throw error;
    }
  };
}

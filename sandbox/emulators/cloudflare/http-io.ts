/** Reading request bodies and writing answers on node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cfError } from './envelope.js';

/** Worker uploads are the largest bodies (Cloudflare's paid limit is 10 MB compressed). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw cfError(413, 10027, 'Request body was too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendBytes(res, status, Buffer.from(JSON.stringify(body)), 'application/json', headers);
}

export function sendBytes(
  res: ServerResponse,
  status: number,
  bytes: Uint8Array,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': String(bytes.byteLength) });
  res.end(bytes);
}

/** Reading JSON requests and writing JSON answers on node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from './api-error.js';

const JSON_TYPE = 'application/json; charset=utf-8';

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
}

export function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body?: unknown,
  jsonContentType = body !== undefined,
): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    ...(jsonContentType ? { 'content-type': JSON_TYPE } : {}),
    'content-length': String(Buffer.byteLength(payload)),
  });
  res.end(payload);
}

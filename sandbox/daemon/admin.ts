/**
 * The daemon's admin endpoint on 127.0.0.1:4783 (loopback only):
 *   GET  /health     -> {"ok":true,"pid":N,"services":{...}}
 *   GET  /dns-delay  -> {"ms":[a,b]}
 *   POST /dns-delay  {"ms":[a,b]} -> {"ms":[a,b]}   propagation delay per resolver for publishes from now on
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AdminOptions {
  port: number;
  host?: string;
  services: Record<string, string>;
  getDelays(): number[];
  setDelays(ms: number[]): void;
}

export async function startAdminServer(opts: AdminOptions): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handle(opts, req, res).catch((error: Error) => send(res, 500, { error: error.message }));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, resolve);
  });
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(opts: AdminOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://admin').pathname;
  if (req.method === 'GET' && path === '/health') return send(res, 200, { ok: true, pid: process.pid, services: opts.services });
  if (req.method === 'GET' && path === '/dns-delay') return send(res, 200, { ms: opts.getDelays() });
  if (req.method === 'POST' && path === '/dns-delay') {
    let body: { ms?: unknown };
    try {
      body = JSON.parse(await readBody(req)) as { ms?: unknown };
    } catch {
      return send(res, 400, { error: 'body must be JSON like {"ms":[500,1500]}' });
    }
    if (!Array.isArray(body.ms)) return send(res, 400, { error: 'body must be JSON like {"ms":[500,1500]}' });
    try {
      opts.setDelays(body.ms as number[]);
    } catch (error) {
      return send(res, 400, { error: (error as Error).message });
    }
    return send(res, 200, { ms: opts.getDelays() });
  }
  send(res, 404, { error: `no route ${req.method} ${path}` });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
      if (body.length > 65_536) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

/** Shared fixtures for the Worker tests: the bundled Worker in real workerd (Miniflare) and local origins. */
import type { MiniflareOptions } from 'miniflare';
import { createRequire } from 'node:module';
import http from 'node:http';
import net from 'node:net';
import { after } from 'node:test';
import { bundleWorker, WORKER_COMPATIBILITY_DATE } from '../../worker/bundle.js';

// Required, not imported: an ES import of this 4 MB CommonJS file first has Node scan it for its export names,
// a third of a second of CPU in every Worker test file.
const { Miniflare } = createRequire(import.meta.url)('miniflare') as typeof import('miniflare');

let bundled: Promise<string> | undefined;

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Runs these after the test file's tests, the latest first: the origins, Workers, sockets and files a test started. */
export function closeAtEnd(...fns: Array<() => Promise<void> | void>): void {
  cleanups.push(...fns);
}

export interface RunningWorker {
  /** Base URL of workerd's HTTP listener on loopback. */
  url: URL;
  mf: InstanceType<typeof Miniflare>;
  close(): Promise<void>;
}

/** Runs the real bundle in workerd. `ALLOW_HTTP_ORIGINS` defaults to "true" because test origins are http. */
export async function startWorker(bindings: Record<string, string>, extra: Partial<MiniflareOptions> = {}): Promise<RunningWorker> {
  bundled ??= bundleWorker();
  const mf = new Miniflare({
    modules: true,
    script: await bundled,
    compatibilityDate: WORKER_COMPATIBILITY_DATE,
    bindings: { ALLOW_HTTP_ORIGINS: 'true', ...bindings },
    host: '127.0.0.1',
    port: 0,
    unsafeTriggerHandlers: true,
    ...extra,
  } as MiniflareOptions);
  const url = await mf.ready;
  return { url, mf, close: () => mf.dispose() };
}

export interface Hit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface TestOrigin {
  name: string;
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

export type Responder = (hit: Hit, res: http.ServerResponse) => void;

/** Answers 200 with `<method> <url> <body bytes>`. */
export const echo: Responder = (hit, res) => res.end(`${hit.method} ${hit.url} ${hit.body.length}`);

export const failWith =
  (status: number): Responder =>
  (_hit, res) => {
    res.statusCode = status;
    res.end(`origin says ${status}`);
  };

/** A local http origin that records every request (after reading its whole body), names itself in `x-origin-name`. */
export async function startOrigin(name: string, respond: Responder = echo): Promise<TestOrigin> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const hit = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      hits.push(hit);
      res.setHeader('x-origin-name', name);
      respond(hit, res);
    });
  });
  const port = await listen(server);
  return { name, url: `http://127.0.0.1:${port}`, hits, close: () => closeServer(server) };
}

export interface StallingOrigin {
  url: string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Accepts connections and reads requests but never answers. */
export async function startStallingOrigin(): Promise<StallingOrigin> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An origin URL whose port nobody listens on (connection refused). */
export async function closedOriginUrl(): Promise<string> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface ClientResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** A plain node:http client: unlike fetch it may send hop-by-hop headers and any Host. */
export function send(
  url: string | URL,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer; path?: string } = {},
): Promise<ClientResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: options.path ?? target.pathname + target.search,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: keepAlive,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Fires the Worker's Cron Trigger once, as Cloudflare would, and waits for the handler to finish: through
 * Miniflare's trigger endpoint (`unsafeTriggerHandlers`), which answers with the outcome. (Its Node-side proxy,
 * `getWorker().scheduled`, does the same but takes a seventh of a second to set up per Worker.)
 */
export async function fireScheduled(worker: RunningWorker, cron = '* * * * *'): Promise<string> {
  const trigger = new URL('/cdn-cgi/handler/scheduled', worker.url);
  trigger.search = new URLSearchParams({ cron, time: String(Date.now()) }).toString();
  return (await send(trigger)).body;
}

/** Miniflare options for a HEALTH KV namespace kept in `dir`: instances given the same dir share it, like isolates share KV. */
export const sharedKv = (dir: string): Partial<MiniflareOptions> =>
  ({ kvNamespaces: { HEALTH: 'health-test' }, kvPersist: dir }) as Partial<MiniflareOptions>;

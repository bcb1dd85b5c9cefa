/**
 * Time from an origin going down to the last failed POST through the SLB (real workerd via Miniflare): two local
 * origins, POSTs every 20 ms, one origin's server closed; the Cron Trigger fires at the next wall-clock minute
 * like Cloudflare's `* * * * *` (and the sandbox's ticker). POSTs are never replayed, so until the probes mark
 * the origin down each isolate loses one POST per passive cooldown (FAIL_COOLDOWN_MS, 10 s).
 */
import { Miniflare } from 'miniflare';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WORKER_COMPATIBILITY_DATE } from '../worker/bundle.js';

export interface FailoverFigures {
  lastFailedPostMs: number | null;
  failedPosts: number;
  posts: number;
  cronFiredMs: number;
  toDeadAfterCron: number;
}

async function origin(name: string) {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(name));
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    kill: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

export async function measureFailover(code: string): Promise<FailoverFigures> {
  const a = await origin('a');
  const b = await origin('b');
  const mf = new Miniflare({
    modules: true,
    script: code,
    compatibilityDate: WORKER_COMPATIBILITY_DATE,
    bindings: {
      ORIGINS: JSON.stringify([a.url, b.url]),
      ALLOW_HTTP_ORIGINS: 'true',
      HEALTH_PATHS: JSON.stringify({ [a.url]: '/healthz', [b.url]: '/healthz' }),
    },
    kvNamespaces: { HEALTH: 'failover' },
    host: '127.0.0.1',
    port: 0,
  });
  const base = (await mf.ready).href.replace(/\/$/, '');
  const worker = (await mf.getWorker()) as unknown as { scheduled(o: { cron: string }): Promise<{ outcome: string }> };
  await worker.scheduled({ cron: '* * * * *' });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = () =>
    new Promise<{ ok: boolean; origin: string }>((resolve) => {
      const req = http.request(`${base}/order`, { method: 'POST', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ ok: res.statusCode === 200, origin: String(res.headers['x-dynia-origin']) }));
      });
      req.on('error', () => resolve({ ok: false, origin: '' }));
      req.end('x');
    });

  await new Promise((resolve) => setTimeout(resolve, 1000));
  const downAt = Date.now();
  b.kill();
  const cronAt = downAt + (60_000 - (downAt % 60_000));
  let cronFired = false;
  let lastFailure: number | null = null;
  let failed = 0;
  let posts = 0;
  let toDeadAfterCron = 0;
  while (Date.now() < cronAt + 15_000) {
    if (!cronFired && Date.now() >= cronAt) {
      cronFired = true;
      await worker.scheduled({ cron: '* * * * *' });
    }
    const answer = await post();
    posts++;
    if (!answer.ok) failed++, (lastFailure = Date.now());
    if (cronFired && answer.origin === b.url) toDeadAfterCron++;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  agent.destroy();
  await mf.dispose();
  a.kill();
  return {
    lastFailedPostMs: lastFailure === null ? null : lastFailure - downAt,
    failedPosts: failed,
    posts,
    cronFiredMs: cronAt - downAt,
    toDeadAfterCron,
  };
}

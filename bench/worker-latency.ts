/**
 * Latency the SLB Worker adds: N sequential GETs straight to a local origin vs. through the Worker (real
 * workerd via Miniflare, over real HTTP on loopback). Every path uses a keep-alive agent with one socket, and
 * requests rotate over the paths so drift (CPU frequency, GC, other load) hits all alike. A third path, a
 * one-line `fetch` passthrough Worker, shows how much of the added time is the runtime hop itself rather
 * than the SLB's own logic. A fourth path is the SLB with its shared-health lookup on (a HEALTH KV binding
 * holding the probes' verdicts, read by the isolate and refreshed in the background), so the cost of active
 * health shows against a direct request in the same run.
 *
 * Then (unless the third argument is `nofailover`) the time from an origin going down to the last failed POST,
 * with the Cron Trigger on its real every-minute schedule (bench/failover.ts; takes up to 75 s).
 *
 *   node --import tsx bench/worker-latency.ts [requests=2000] [warmup=200] [nofailover]
 */
import { Miniflare } from 'miniflare';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { bundleWorker, WORKER_COMPATIBILITY_DATE } from '../worker/bundle.js';
import { measureFailover } from './failover.js';

const TARGET_ADDED_P50_MS = 1;
const TARGET_ADDED_P99_MS = 5;

const requests = Number(process.argv[2] ?? 2000);
const warmup = Number(process.argv[3] ?? 200);

const originConnections = { count: 0 };
const origin = http.createServer((_req, res) => res.end('ok'));
origin.on('connection', () => originConnections.count++);
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

async function serve(script: string, kv = false): Promise<{ mf: Miniflare; url: string }> {
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: WORKER_COMPATIBILITY_DATE,
    // A 1 s view of the verdicts (default 10 s) makes the background KV refresh happen often during the run.
    bindings: {
      ORIGINS: originUrl,
      ALLOW_HTTP_ORIGINS: 'true',
      ...(kv ? { HEALTH_PATHS: JSON.stringify({ [originUrl]: '/healthz' }), SHARED_HEALTH_TTL_MS: '1000' } : {}),
    },
    ...(kv ? { kvNamespaces: { HEALTH: 'bench-health' } } : {}),
    host: '127.0.0.1',
    port: 0,
  });
  return { mf, url: (await mf.ready).href.replace(/\/$/, '') };
}

const code = await bundleWorker();
const slb = await serve(code);
const slbShared = await serve(code, true);
// The probes' verdicts in KV, as the Cron Trigger leaves them.
const scheduled = (await slbShared.mf.getWorker()) as unknown as { scheduled(o: { cron: string }): Promise<{ outcome: string }> };
if ((await scheduled.scheduled({ cron: '* * * * *' })).outcome !== 'ok') throw new Error('the scheduled handler failed');
const passthrough = await serve(
  'export default { fetch(request, env) { const u = new URL(request.url); return fetch(env.ORIGINS + u.pathname + u.search); } };',
);

interface Path {
  name: string;
  url: string;
  agent: http.Agent;
  samples: number[];
}
const paths: Path[] = [
  { name: 'direct', url: originUrl },
  { name: 'through SLB', url: slb.url },
  { name: 'bare passthrough', url: passthrough.url },
  { name: 'SLB + shared health (KV)', url: slbShared.url },
].map((path) => ({ ...path, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }), samples: [] }));

/** One GET; resolves with its duration in ms once the whole body has arrived. */
function timedGet(base: string, agent: http.Agent): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/bench`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${base} answered ${res.statusCode}`));
          else resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
      })
      .on('error', reject);
  });
}

async function run(count: number, record: boolean): Promise<void> {
  for (let i = 0; i < count; i++) {
    for (const path of paths) {
      const duration = await timedGet(path.url, path.agent);
      if (record) path.samples.push(duration);
    }
  }
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (value: number) => `${value.toFixed(3)} ms`.padStart(11);

await run(warmup, false);
const connectionsBefore = originConnections.count;
await run(requests, true);
const [direct, throughSlb, bare, throughShared] = paths.map((path) => path.samples) as [number[], number[], number[], number[]];

const row = (name: string, p50: number, p99: number, extra = '') =>
  console.log(`${name.padEnd(30)} p50 ${ms(p50)}   p99 ${ms(p99)}${extra}`);
const stats = (samples: number[]) => [percentile(samples, 50), percentile(samples, 99)] as const;
const added = (samples: number[]) =>
  [percentile(samples, 50) - percentile(direct, 50), percentile(samples, 99) - percentile(direct, 99)] as const;

console.log(
  `${requests} sequential GETs per path after ${warmup} warm-up rounds; node ${process.version}; load average ${loadavg()[0]!.toFixed(2)}`,
);
for (const path of paths) row(path.name, ...stats(path.samples), `   max ${ms(Math.max(...path.samples))}`);
const [addedP50, addedP99] = added(throughSlb);
row('added by SLB', addedP50, addedP99, `   (targets: p50 <= ${TARGET_ADDED_P50_MS} ms, p99 <= ${TARGET_ADDED_P99_MS} ms)`);
row('added by bare passthrough', ...added(bare), '   (runtime hop alone)');
const [sharedP50, sharedP99] = added(throughShared);
row(
  'added by SLB + shared health',
  sharedP50,
  sharedP99,
  `   (targets: p50 <= ${TARGET_ADDED_P50_MS} ms, p99 <= ${TARGET_ADDED_P99_MS} ms)`,
);
console.log(`new origin connections during the run: ${originConnections.count - connectionsBefore} (keep-alive reuse on every path)`);
const met = (p50: number, p99: number) => p50 <= TARGET_ADDED_P50_MS && p99 <= TARGET_ADDED_P99_MS;
console.log(met(addedP50, addedP99) && met(sharedP50, sharedP99) ? 'targets met' : 'targets MISSED');

for (const path of paths) path.agent.destroy();
await slb.mf.dispose();
await slbShared.mf.dispose();
await passthrough.mf.dispose();
origin.closeAllConnections();
origin.close();

if (process.argv[4] !== 'nofailover') {
  const f = await measureFailover(code);
  console.log(
    `failover: origin down → Cron Trigger after ${(f.cronFiredMs / 1000).toFixed(1)} s (next minute); last failed POST ${f.lastFailedPostMs === null ? 'none' : `${(f.lastFailedPostMs / 1000).toFixed(1)} s`} after the origin went down; ` +
      `${f.failedPosts} of ${f.posts} POSTs failed (one per 10 s passive cooldown); ${f.toDeadAfterCron} sent to the dead origin after the probe`,
  );
}

/**
 * How long `slb:sync` takes for 100 nodes, everything on loopback: one HTTPS server on 127.0.0.1:443 with a
 * self-signed `*.bench.test` certificate answers every node's health path, a tiny UDP DNS responder resolves
 * `o<N>.bench.test`, and the Cloudflare API emulator (fake DNS sink, fake Worker runtime) takes the upload.
 * Figures: the workflow called in-process with the real probe (probeHttps) (first publish, then an unchanged re-sync,
 * then with 10 more nodes that refuse connections) and the built CLI as a child process. Needs root (port 443)
 * and openssl.
 *
 *   node --import tsx bench/slb-sync.ts [runs=5]
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startCloudflareEmulator } from '../sandbox/emulators/cloudflare/server.js';
import { CloudflareClient } from '../src/cloud/cloudflare.js';
import { probeHttps } from '../src/health/probe.js';
import { emptyState, type NodeRecord } from '../src/state/schema.js';
import { StateStore } from '../src/state/store.js';
import { systemClock } from '../src/lib/clock.js';
import { slbSync, type SlbSyncInput } from '../src/commands/slb-sync/workflow.js';
import { loadWorkerCode } from '../src/commands/slb-sync/worker-code.js';
import type { Reporter } from '../src/lib/steps.js';
import { startDnsResponder } from '../test/unit/propagation-dns-responder.js';

const TARGET_MS = 1500;
const NODES = 100;
const DOWN = 10;
const runs = Number(process.argv[2] ?? 5);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'bench-token-0123456789';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const ZONE = 'fedcba9876543210fedcba9876543210';

/**
 * The probes must trust the self-signed certificate the way the CLI does (NODE_EXTRA_CA_CERTS, read at start-up):
 * passing `ca` per probe would rebuild the whole root store for every connection and measure that instead.
 * So the first process makes the certificate and re-runs itself with the variable set.
 */
if (!process.env.DYNIA_BENCH_SLB_DIR) {
  const workDir = mkdtempSync(join(tmpdir(), 'dynia-bench-slb-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=*.bench.test',
      '-addext',
      'subjectAltName=DNS:*.bench.test',
      '-keyout',
      join(workDir, 'key.pem'),
      '-out',
      join(workDir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, DYNIA_BENCH_SLB_DIR: workDir, NODE_EXTRA_CA_CERTS: join(workDir, 'cert.pem') },
  });
  rmSync(workDir, { recursive: true, force: true });
  process.exit(child.status ?? 1);
}
const dir = process.env.DYNIA_BENCH_SLB_DIR;
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
const cert = readFileSync(certFile, 'utf8');

const origins = createServer({ key: readFileSync(keyFile), cert }, (req, res) =>
  res.writeHead(req.url === '/healthz' ? 200 : 404).end('ok'),
);
await new Promise<void>((resolve, reject) => {
  origins.once('error', (error) =>
    reject(new Error(`cannot listen on 127.0.0.1:443 (${(error as Error).message}); run as root with the port free`)),
  );
  origins.listen(443, '127.0.0.1', resolve);
});

const healthy = Array.from({ length: NODES }, (_, i) => `o${i + 1}.bench.test`);
// The down ones point at 127.0.0.2, where nothing listens: a refused connection, like a stopped Caddy.
const down = Array.from({ length: DOWN }, (_, i) => `d${i + 1}.bench.test`);
const records = new Map<string, string[]>([
  ...healthy.map((name) => [name, ['127.0.0.1']]),
  ...down.map((name) => [name, ['127.0.0.2']]),
] as Array<[string, string[]]>);
const dns = await startDnsResponder(records);
const resolvers = [{ host: '127.0.0.1', port: dns.port }];

let uploads = 0;
const emulator = await startCloudflareEmulator({
  port: 0,
  token: TOKEN,
  accountId: ACCOUNT,
  zones: [{ id: ZONE, name: 'bench.test' }],
  workersSubdomain: 'bench',
  dns: { publish: () => undefined },
  workers: { deploy: async () => void uploads++, remove: async () => undefined },
});

const node = (name: string): NodeRecord => ({
  name: name.split('.')[0]!,
  ip: '127.0.0.1',
  fqdn: name,
  createdAt: new Date().toISOString(),
  status: 'active',
  healthPath: '/healthz',
  caddy: { domain: name, target: { service: 'placeholder', port: 8080 } },
  stepsDone: [],
});

/** A state dir holding `nodes` (and no slb record: the first sync publishes). */
async function stateDir(nodes: string[]): Promise<string> {
  const path = mkdtempSync(join(dir, 'state-'));
  await new StateStore(path).save({ ...emptyState(), nodes: nodes.map(node) });
  return path;
}

const quiet: Reporter = {
  stepStart: () => undefined,
  stepDone: () => undefined,
  stepSkipped: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};
const input = (name: string): SlbSyncInput => ({
  name,
  accountId: ACCOUNT,
  health: true,
  workersDevUrlTemplate: 'https://{script}.{subdomain}.workers.dev',
  dryRun: false,
  allowEmpty: false,
});
// The production path reads dist/worker.js; build it once so both figures use the same code.
execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
const fromDist = () => loadWorkerCode(pathToFileURL(join(ROOT, 'dist', 'chunks', 'slb-sync.js')).href);

/** One in-process sync: state lock, real CloudflareClient over HTTP, real probes; returns ms and the result. */
async function inProcess(state: string, worker: string) {
  const cloudflare = new CloudflareClient({ token: TOKEN, baseUrl: emulator.url });
  const started = performance.now();
  try {
    const result = await new StateStore(state).withLock('slb:sync', (tx) =>
      slbSync(
        input(worker),
        {
          tx,
          cloudflare,
          reporter: quiet,
          settings: { zoneId: ZONE },
          probe: (url, timeoutMs) => probeHttps(url, { resolvers, ...(timeoutMs ? { timeoutMs } : {}) }),
          clock: systemClock,
        },
        {
          loadWorkerCode: fromDist,
        },
      ),
    );
    return { ms: performance.now() - started, result };
  } finally {
    await cloudflare.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)} (${xs.length} runs)`;
const lines: string[] = [];

const first: number[] = [];
const again: number[] = [];
const withDown: number[] = [];
for (let i = 0; i < runs; i++) {
  const state = await stateDir(healthy);
  const worker = `bench-${i}`;
  const a = await inProcess(state, worker);
  if (a.result.origins.length !== healthy.length || !a.result.uploaded)
    throw new Error(`unexpected first sync: ${JSON.stringify({ ...a.result, timings: undefined })}`);
  first.push(a.ms);
  const b = await inProcess(state, worker);
  if (b.result.uploaded) throw new Error('an unchanged re-sync uploaded again');
  again.push(b.ms);
  const c = await inProcess(await stateDir([...healthy, ...down]), `bench-down-${i}`);
  if (c.result.dropped.length !== DOWN) throw new Error(`expected ${DOWN} dropped, got ${JSON.stringify(c.result.dropped)}`);
  withDown.push(c.ms);
}
lines.push(`in-process, ${healthy.length} healthy nodes, first publish:   ${fmt(first)}`);
lines.push(`in-process, ${healthy.length} healthy nodes, unchanged:       ${fmt(again)}`);
lines.push(`in-process, ${NODES} healthy + ${DOWN} refusing (retried once): ${fmt(withDown)}`);

/** The built CLI in its own process (node start-up included), pointed only at the loopback services above. */
const cliRuns: number[] = [];
for (let i = 0; i < runs; i++) {
  const state = await stateDir(healthy);
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    DYNIA_STATE_DIR: state,
    DIGITALOCEAN_TOKEN: 'unused-by-slb-sync',
    DIGITALOCEAN_API_URL: 'http://127.0.0.1:9',
    CLOUDFLARE_API_TOKEN: TOKEN,
    CLOUDFLARE_API_URL: emulator.url,
    CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
    CLOUDFLARE_ZONE_ID: ZONE,
    DYNIA_DOMAIN: 'bench.test',
    DYNIA_DNS_RESOLVERS: `127.0.0.1:${dns.port}`,
    DYNIA_ACME_CA: 'https://127.0.0.1:9/dir',
    NODE_EXTRA_CA_CERTS: certFile,
  };
  const started = performance.now();
  // Asynchronous: the emulator, DNS responder and origins live in this process and must keep answering.
  const { stdout: out } = await promisify(execFile)(
    process.execPath,
    ['bin/dynia.js', '--quiet', '--json', 'slb:sync', '--name', `bench-cli-${i}`],
    { cwd: ROOT, env },
  );
  cliRuns.push(performance.now() - started);
  const parsed = JSON.parse(out) as { origins: string[] };
  if (parsed.origins.length !== healthy.length) throw new Error(`CLI published ${parsed.origins.length} origins`);
}
lines.push(`CLI process (node bin/dynia.js), ${healthy.length} healthy nodes: ${fmt(cliRuns)}`);

await emulator.close();
await dns.close();
origins.closeAllConnections();
await new Promise((resolve) => origins.close(resolve));

console.log(`slb:sync benchmark (${uploads} uploads to the emulator in total)`);
for (const line of lines) console.log(`  ${line}`);
const worst = Math.max(median(first), median(cliRuns));
console.log(
  `target ≤ ${TARGET_MS} ms for a full sync of ${healthy.length}+ nodes: ${worst <= TARGET_MS ? 'met' : 'MISSED'} (worst median ${worst.toFixed(0)} ms)`,
);
if (worst > TARGET_MS) process.exitCode = 1;

/**
 * A faithful local emulator of the Cloudflare API v4 subset Dynia uses (token verify, accounts, zones, DNS
 * records, Workers scripts/subdomains/routes). DNS changes go to a DnsSink, Worker uploads to a WorkerRuntime.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DnsSink, KvStore, WorkerRuntime } from '../ports.js';
import { registerKvHandlers } from './kv-handlers.js';
import { MemoryKvStore } from './kv-memory.js';
import { KvNamespaces, type KvNamespacePersistence } from './kv-namespaces.js';
import { createScheduledControl, startCronTicker } from './worker-cron.js';
import { registerWorkerScheduleHandlers } from './worker-schedule-handlers.js';
import { registerAccountHandlers } from './account-handlers.js';
import { createControlHandler } from '../controls/handler.js';
import { failureEnvelope } from './envelope.js';
import { API_PREFIX, createApiHandler } from './api.js';
import { registerDnsHandlers } from './dns-handlers.js';
import { DnsStore, type DnsPersistence } from './dns-store.js';
import { FaultQueue } from '../controls/faults.js';
import { fingerprintIdentifier, nowTimestamp } from './ids.js';
import { RequestLog } from '../controls/request-log.js';
import { Router } from './router.js';
import type { EmulatorState } from './state.js';
import { registerWorkerRouteHandlers, WorkerRoutes } from './worker-routes.js';
import { registerWorkerScriptHandlers } from './worker-script-handlers.js';
import { WorkerScripts } from './worker-scripts.js';
import { registerWorkerSubdomainHandlers } from './worker-subdomain-handlers.js';
import { registerZoneHandlers } from './zone-handlers.js';

export interface CloudflareEmulatorOptions {
  /** 0 picks a free port; the returned `url` has the real one. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The only bearer token the API accepts. */
  token: string;
  accountId: string;
  zones: Array<{ id: string; name: string }>;
  /** The account's workers.dev subdomain (`<script>.<subdomain>.workers.dev`). */
  workersSubdomain: string;
  dns: DnsSink;
  /** Keeps DNS records across restarts (records start empty without it). */
  dnsPersistence?: DnsPersistence;
  workers: WorkerRuntime;
  /** Values of KV namespaces (default: in memory); the sandbox shares them with the runtime's KV bindings. */
  kv?: KvStore;
  /** Keeps KV namespaces (ids, titles) across restarts. */
  kvPersistence?: KvNamespacePersistence;
  /** Fire Cron Triggers on their schedule (default false: only on demand, via `POST /__sandbox/scheduled`). */
  cron?: boolean;
  log?: (message: string) => void;
}

export interface RunningCloudflareEmulator {
  /** API base incl. `/client/v4`, e.g. `http://127.0.0.1:4781/client/v4`; sandbox controls live at `/__sandbox/`. */
  url: string;
  close(): Promise<void>;
}

function buildRouter(state: EmulatorState): Router {
  const router = new Router();
  registerAccountHandlers(router, state);
  registerZoneHandlers(router, state);
  registerDnsHandlers(router, state);
  registerWorkerScriptHandlers(router, state);
  registerWorkerSubdomainHandlers(router, state);
  registerWorkerRouteHandlers(router, state);
  registerWorkerScheduleHandlers(router, state);
  registerKvHandlers(router, state);
  return router;
}

export async function startCloudflareEmulator(opts: CloudflareEmulatorOptions): Promise<RunningCloudflareEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const startedOn = nowTimestamp();
  const state: EmulatorState = {
    account: { id: opts.accountId, name: 'Dynia Sandbox', createdOn: startedOn },
    tokenId: fingerprintIdentifier(opts.token),
    zones: opts.zones.map((z) => ({ id: z.id, name: z.name.toLowerCase() })),
    startedOn,
    dns: new DnsStore(opts.dns, opts.dnsPersistence),
    scripts: new WorkerScripts(),
    routes: new WorkerRoutes(),
    runtime: opts.workers,
    workersSubdomain: { name: opts.workersSubdomain },
    kv: new KvNamespaces(opts.kvPersistence),
    kvStore: opts.kv ?? new MemoryKvStore(),
  };
  state.dns.restore(state.zones);
  const faults = new FaultQueue();
  const log = new RequestLog();
  const admin = createControlHandler(faults, log, (_status, message) => failureEnvelope([{ code: 1000, message }]));
  const api = createApiHandler({ token: opts.token, router: buildRouter(state), faults, log });

  const scheduled = createScheduledControl(state);
  const ticker = opts.cron ? startCronTicker(state, opts.log) : undefined;
  const handlerFor = (url = '') => (url.startsWith('/__sandbox/scheduled') ? scheduled : url.startsWith('/__sandbox/') ? admin : api);
  const server = createServer((req, res) => void handlerFor(req.url)(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${API_PREFIX}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        ticker?.stop();
        server.close((error) => (error ? reject(error) : resolve()));
        // Hanging faults and keep-alive clients would otherwise hold close() open forever.
        server.closeAllConnections();
      }),
  };
}

/**
 * A WorkerRuntime on real workerd (Miniflare 4). Every deployed script is served on one local HTTP listener,
 * picked by the Host header's first label (`slb.sandbox.workers.localhost:4782` → script `slb`).
 */
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { Miniflare, supportedCompatibilityDate } from 'miniflare';
import type { WorkerRuntime } from '../emulators/ports.js';
import { scriptNameFromHost } from './host-routing.js';
import { nodeOutboundService, type Outbound } from './outbound.js';
import { proxyRequest } from './proxy.js';
import { startupFailureMessage } from './runtime-errors.js';
import { ScriptInstances, type Instance } from './script-instances.js';
import { miniflareWorkerOptions, type DeploySpec } from './worker-options.js';

export interface WorkerRuntimeOptions {
  /** Port of the shared listener; 0 picks a free one. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Handles the Workers' subrequests (the sandbox routes them through its DNS and CA); default: workerd's own fetch. */
  outbound?: Outbound;
  /** Scheme of every subrequest `outbound` gets (workerd does not pass it on); default https. */
  outboundScheme?: 'http' | 'https';
}

export type LocalWorkerRuntime = WorkerRuntime & {
  /** e.g. `http://127.0.0.1:4782`; send requests with `Host: <script>.<anything>`. */
  url: string;
  close(): Promise<void>;
};

async function startInstance(spec: DeploySpec, outbound: Outbound | undefined, scheme: 'http' | 'https'): Promise<Instance> {
  /** workerd's stderr until the Worker is up: where a script's startup error is reported. */
  let startupStderr: string | undefined = '';
  const mf = new Miniflare({
    ...miniflareWorkerOptions({ spec, newestSupportedDate: supportedCompatibilityDate }),
    host: '127.0.0.1',
    port: 0,
    // Traffic goes straight to the Worker's own socket, skipping Miniflare's entry worker: under 16 concurrent
    // clients that halves workerd's latency (p50 1.5 ms vs 3.8 ms). The listener adds `cf-connecting-ip` itself.
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    // Otherwise Miniflare downloads cf.json from workers.cloudflare.com at start (no internet here).
    cf: false,
    ...(outbound ? { outboundService: nodeOutboundService(outbound, scheme) } : {}),
    handleRuntimeStdio(stdout: Readable, errors: Readable) {
      stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
      errors.on('data', (chunk: Buffer) => {
        if (startupStderr !== undefined) startupStderr += chunk.toString();
        process.stderr.write(chunk);
      });
    },
  });
  try {
    await mf.ready;
    const url = await mf.unsafeGetDirectURL();
    startupStderr = undefined;
    return {
      port: Number(url.port),
      agent: new Agent({ keepAlive: true }),
      dispose: () => mf.dispose(),
    };
  } catch (error) {
    await mf.dispose().catch(() => undefined);
    throw new Error(startupFailureMessage(startupStderr ?? '') ?? (error as Error).message, { cause: error });
  }
}

export async function createWorkerRuntime(opts: WorkerRuntimeOptions): Promise<LocalWorkerRuntime> {
  const host = opts.host ?? '127.0.0.1';
  const instances = new ScriptInstances();

  const server = createServer((req, res) => {
    const name = scriptNameFromHost(req.headers.host);
    const target = name === undefined ? undefined : instances.acquire(name);
    if (!target) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`No Worker is deployed for host "${req.headers.host ?? ''}".\n`);
      return;
    }
    proxyRequest(req, res, target.instance, target.release);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    deploy: (spec) => instances.deploy(spec.name, () => startInstance(spec, opts.outbound, opts.outboundScheme ?? 'https')),
    remove: (name) => instances.remove(name),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await instances.closeAll();
    },
  };
}

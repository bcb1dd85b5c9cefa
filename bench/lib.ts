/** Shared bits of the sandbox benchmarks: run the built CLI, percentiles, a keep-alive HTTPS load generator. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg, setPriority } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';

const CLI = join(new URL('..', import.meta.url).pathname, 'bin/dynia.js');

/**
 * Runs the built CLI. `niceness` lowers its CPU priority: in the sandbox the CLI shares the machine with the
 * node hosts and the load generator, where a real one runs on the operator's own machine.
 */
export function dynia(args: string[], stateDir: string, niceness = 0): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, DYNIA_STATE_DIR: stateDir }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) || 1 : 0, stdout, stderr }),
    );
    if (niceness && child.pid) setPriority(child.pid, niceness);
  });
}

export function requireSandbox(): void {
  if (!/^http:\/\/127\.0\.0\.1:/.test(process.env.DIGITALOCEAN_API_URL ?? '')) {
    console.error('run with the sandbox env: dynia sandbox up && eval "$(dynia sandbox env)"');
    process.exit(2);
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** p99 of the samples' latencies (NaN for none). */
export const p99 = (samples: readonly Sample[]): number =>
  percentile(
    samples.map((s) => s.ms).sort((a, b) => a - b),
    99,
  );

export const fmt = (ms: number) => (Number.isNaN(ms) ? '-' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

export interface Sample {
  at: number;
  ms: number;
  ok: boolean;
  error?: string;
  /** What `tag` read off the answer's body (e.g. which version answered). */
  tag?: string;
}

/**
 * Steady load: `connections` keep-alive HTTPS connections to one node, each sending the next request as soon as
 * the previous answer arrived. Returns a stop function that resolves to every sample.
 */
export function startLoad(opts: {
  url: string;
  ip: string;
  connections: number;
  expect?: RegExp;
  tag?: (body: string) => string | undefined;
}): () => Promise<Sample[]> {
  const ca = readFileSync(process.env.NODE_EXTRA_CA_CERTS!, 'utf8');
  const origin = new URL(opts.url).origin;
  const path = new URL(opts.url).pathname;
  const pool = new Pool(origin, {
    connections: opts.connections,
    connect: { ca, lookup: (_h, _o, cb) => cb(null, [{ address: opts.ip, family: 4 }]) },
  });
  const samples: Sample[] = [];
  let running = true;
  const worker = async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const r = await pool.request({ path, method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 });
        const body = await r.body.text();
        const ok = r.statusCode === 200 && (!opts.expect || opts.expect.test(body));
        const tag = ok && opts.tag ? opts.tag(body) : undefined;
        samples.push({
          at: t0,
          ms: performance.now() - t0,
          ok,
          ...(ok ? {} : { error: `HTTP ${r.statusCode} ${body.slice(0, 60)}` }),
          ...(tag === undefined ? {} : { tag }),
        });
      } catch (error) {
        samples.push({ at: t0, ms: performance.now() - t0, ok: false, error: (error as Error).message });
      }
    }
  };
  const workers = Array.from({ length: opts.connections }, worker);
  return async () => {
    running = false;
    await Promise.all(workers);
    await pool.close();
    return samples;
  };
}

export function summarize(label: string, samples: Sample[]): string {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const failed = samples.filter((s) => !s.ok);
  const errors = [...new Set(failed.map((s) => s.error))].slice(0, 3).join('; ');
  return `${label.padEnd(8)} requests ${String(samples.length).padStart(7)}  failed ${String(failed.length).padStart(4)}  p50 ${fmt(percentile(sorted, 50)).padStart(6)} ms  p99 ${fmt(percentile(sorted, 99)).padStart(7)} ms  max ${fmt(sorted.at(-1) ?? NaN).padStart(7)} ms${errors ? `  (${errors})` : ''}`;
}

/**
 * The machine's 1-minute load average, sampled every 5 s while a bench runs: the figures of a run on a busy shared
 * machine are read beside it. Returns a function that stops sampling and says `load average a–b`.
 */
export function watchLoad(): () => string {
  const seen = [loadavg()[0]!];
  const timer = setInterval(() => seen.push(loadavg()[0]!), 5000);
  timer.unref();
  return () => {
    clearInterval(timer);
    seen.push(loadavg()[0]!);
    return `load average ${Math.min(...seen).toFixed(1)}–${Math.max(...seen).toFixed(1)}`;
  };
}

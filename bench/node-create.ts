/**
 * node:create on the sandbox, split by step, with the SSH connections and remote commands it used.
 *
 *   dynia sandbox up && eval "$(dynia sandbox env)" && node --import tsx bench/node-create.ts [runs]
 *
 * Dynia's own overhead is the total minus what it waits for: the droplet being created and booting, DNS
 * propagating (the sandbox resolvers publish after 0.5 s and 1.5 s), the Caddy image download and the certificate
 * being issued (the HTTPS check). Target ≤ 3 s.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynia, fmt, requireSandbox } from './lib.js';

requireSandbox();
const runs = Number(process.argv[2] ?? 3);
const stateDir = mkdtempSync(join(tmpdir(), 'dynia-bench-'));
const WAITING = new Set(['droplet', 'droplet-active', 'dns-propagation', 'pull', 'https']);
const results: Array<{ totalMs: number; timings: Array<{ name: string; ms: number }>; remote: { connections: number; commands: number } }> =
  [];
try {
  for (let i = 1; i <= runs; i++) {
    const t0 = performance.now();
    const r = await dynia(['node:create', '--name', `bench-nc-${i}`, '--json'], stateDir);
    if (r.code !== 0) throw new Error(r.stderr);
    results.push({ ...JSON.parse(r.stdout), totalMs: performance.now() - t0 });
  }
} finally {
  for (let i = 1; i <= runs; i++) await dynia(['node:destroy', '--name', `bench-nc-${i}`, '--yes'], stateDir);
}
const steps = results[0]!.timings.map((t) => t.name);
console.log(`\nnode:create on the sandbox, ${runs} run(s) (ms)\n`);
console.log(`${'step'.padEnd(18)}${results.map((_, i) => `run ${i + 1}`.padStart(10)).join('')}`);
for (const step of steps) {
  const mark = WAITING.has(step) ? ' *' : '';
  console.log(`${(step + mark).padEnd(18)}${results.map((r) => fmt(r.timings.find((t) => t.name === step)!.ms).padStart(10)).join('')}`);
}
const waiting = (r: (typeof results)[number]) => r.timings.filter((t) => WAITING.has(t.name)).reduce((a, t) => a + t.ms, 0);
console.log(`${'total (CLI)'.padEnd(18)}${results.map((r) => fmt(r.totalMs).padStart(10)).join('')}`);
console.log(
  `${'Dynia overhead'.padEnd(18)}${results.map((r) => fmt(r.totalMs - waiting(r)).padStart(10)).join('')}   (total minus * = droplet, DNS, image pull, certificate; target ≤ 3000)`,
);
console.log(`${'SSH connections'.padEnd(18)}${results.map((r) => String(r.remote.connections).padStart(10)).join('')}`);
console.log(`${'remote commands'.padEnd(18)}${results.map((r) => String(r.remote.commands).padStart(10)).join('')}`);

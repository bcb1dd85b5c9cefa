/**
 * app:deploy (or app:rollback) under load: steady keep-alive HTTPS load through a node's Caddy while the app is
 * swapped again and again. Prints requests sent and failed and latency percentiles before, during and after the
 * swaps, and each swap's own time split by step with its remote command count.
 *
 *   dynia sandbox up && eval "$(dynia sandbox env)" && node --import tsx bench/deploy-swap.ts [swaps] [connections] [deploy|rollback]
 *
 * In `rollback` mode each round deploys a new version (not measured) and then rolls it back (measured).
 *
 * Targets: 0 failed of ≥10,000 requests during the swaps; p99 during ≤ 1.3 × p99 before; Dynia's overhead (deploy
 * total minus the app's own start-to-healthy time) ≤ 1 s; ≤ 10 remote commands and 1 SSH connection per deploy.
 * bench/swap-peers.ts measures the same beside in-place `docker compose up -d` and Docker Swarm.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynia, fmt, p99, requireSandbox, startLoad, summarize, type Sample } from './lib.js';

requireSandbox();
const swaps = Number(process.argv[2] ?? 6);
const connections = Number(process.argv[3] ?? 32);
const mode = process.argv[4] === 'rollback' ? 'rollback' : 'deploy';
const stateDir = mkdtempSync(join(tmpdir(), 'dynia-bench-'));
const node = 'bench-swap';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const must = <R extends { code: number; stderr: string }>(r: R): R => {
  if (r.code !== 0) throw new Error(r.stderr);
  return r;
};

// The app under test must not be the bottleneck: busybox httpd (the demo app) closes every connection and
// listens with a backlog of 9, so it drops SYNs under load. `caddy respond` is a keep-alive Go server.
const compose = (v: number) => {
  const path = join(stateDir, `hello-v${v}.yaml`);
  writeFileSync(
    path,
    `services:\n  web:\n    image: caddy:2\n    command: ["caddy", "respond", "--listen", ":8080", "--body", "hello from dynia example v${v}"]\n    expose: ["8080"]\n`,
  );
  return path;
};
try {
  must(await dynia(['node:create', '--name', node], stateDir));
  must(await dynia(['app:deploy', '--node', node, '--compose', compose(1), '--name', 'hello'], stateDir));
  const ip = JSON.parse(must(await dynia(['node:list', '--json'], stateDir)).stdout)[0].ip;
  const stop = startLoad({ url: `https://${node}.dynia.test/`, ip, connections, expect: /hello from dynia example v[12]/ });
  const windows: Array<[number, number]> = [];
  const deploys: any[] = [];
  await sleep(4000);
  for (let i = 0; i < swaps; i++) {
    const deploy = ['app:deploy', '--node', node, '--compose', compose(i % 2 === 0 ? 2 : 1), '--name', 'hello', '--force', '--json'];
    if (mode === 'rollback') {
      must(await dynia(deploy, stateDir));
      await sleep(1500);
    }
    const t0 = performance.now();
    const r = must(await dynia(mode === 'rollback' ? ['app:rollback', '--node', node, '--app', 'hello', '--json'] : deploy, stateDir));
    windows.push([t0, performance.now()]);
    deploys.push(JSON.parse(r.stdout));
    await sleep(1500);
  }
  await sleep(2500);
  const samples = await stop();
  const inWindow = (s: Sample) => windows.some(([a, b]) => s.at >= a && s.at <= b);
  const before = samples.filter((s) => s.at < windows[0]![0]);
  const during = samples.filter(inWindow);
  const after = samples.filter((s) => s.at > windows.at(-1)![1]);
  const between = samples.filter((s) => !inWindow(s) && s.at > windows[0]![0] && s.at < windows.at(-1)![1]);
  console.log(`\nload: ${connections} keep-alive HTTPS connections through Caddy on ${node}; ${swaps} × app:${mode}\n`);
  console.log(summarize('before', before));
  console.log(summarize('during', during));
  console.log(summarize('between', between));
  console.log(summarize('after', after));
  // Where in a swap the slow requests fall: p99 per 250 ms slice of the swap, all swaps together.
  const slices = new Map<number, number[]>();
  for (const sample of during) {
    const start = windows.find(([a, b]) => sample.at >= a && sample.at <= b)![0];
    const slice = Math.floor((sample.at - start) / 250);
    slices.set(slice, [...(slices.get(slice) ?? []), sample.ms]);
  }
  console.log(
    '\np99 by time into the swap: ' +
      [...slices.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([k, ms]) => `${k * 250}ms ${fmt(ms.sort((a, b) => a - b)[Math.floor(ms.length * 0.99)]!)}`)
        .join(' | '),
  );
  console.log(`\np99 during / p99 before = ${(p99(during) / p99(before)).toFixed(2)} (target ≤ 1.3)`);
  console.log(
    `p99 during / p99 of every request outside the swaps = ${(p99(during) / p99([...before, ...between, ...after])).toFixed(2)} (a steadier baseline)`,
  );
  console.log(`failed during the swaps: ${during.filter((s) => !s.ok).length} of ${during.length} (target 0 of ≥ 10,000)\n`);
  if (mode === 'deploy') {
    console.log('deploy   total   app start→healthy   Dynia overhead   remote commands   SSH connections');
    for (const d of deploys) {
      console.log(
        `${d.deployment.project.padEnd(12)} ${fmt(d.totalMs).padStart(6)} ms  ${fmt(d.appStartMs).padStart(8)} ms  ${fmt(d.totalMs - d.appStartMs).padStart(12)} ms  ${String(d.remote.commands).padStart(10)}  ${String(d.remote.connections).padStart(14)}`,
      );
    }
  }
  const steps = deploys[0].timings.map((t: { name: string }) => t.name);
  console.log('\nmean time per step (ms):');
  for (const step of steps) {
    const ms = deploys.map((d) => d.timings.find((t: { name: string }) => t.name === step).ms);
    console.log(`  ${step.padEnd(16)} ${fmt(ms.reduce((a: number, b: number) => a + b, 0) / ms.length)}`);
  }
} finally {
  await dynia(['node:destroy', '--name', node, '--yes'], stateDir);
}

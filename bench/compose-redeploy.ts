/**
 * Redeploys of a real compose app (examples/shop: built web service, data service with a volume, config file,
 * .env, env_file, secret) under steady keep-alive HTTPS load. Each round changes one file of the web service's
 * build context (so the node rebuilds that layer) and redeploys. Prints requests sent and failed, p99 before and
 * during the deploys, and per deploy: bytes uploaded vs the changed file's size, Dynia's own time beyond the
 * app's build + start-to-healthy, remote commands and SSH connections.
 *
 *   dynia sandbox up && eval "$(dynia sandbox env)" && node --import tsx bench/compose-redeploy.ts [rounds] [connections]
 *
 * Targets: 0 failed of ≥ 10,000 requests during the deploys; p99 during ≤ 2 × before; overhead ≤ 1.5 s; one SSH
 * connection per deploy; a one-file change uploads under 64 KiB on top of that file.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynia, fmt, p99, requireSandbox, startLoad, summarize, watchLoad, type Sample } from './lib.js';

requireSandbox();
const rounds = Number(process.argv[2] ?? 6);
const connections = Number(process.argv[3] ?? 32);
const stateDir = mkdtempSync(join(tmpdir(), 'dynia-bench-'));
const node = 'bench-compose';
const app = join(stateDir, 'shop');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const must = <R extends { code: number; stderr: string }>(r: R): R => {
  if (r.code !== 0) throw new Error(r.stderr);
  return r;
};

cpSync(new URL('../examples/shop', import.meta.url).pathname, app, { recursive: true });
// Serve the node's own FQDN (no DNS step), as bench/deploy-swap.ts does.
writeFileSync(join(app, '.env'), readFileSync(join(app, '.env'), 'utf8').replace(/SHOP_DOMAIN=.*/, `SHOP_DOMAIN=${node}.dynia.test`));
const page = join(app, 'web/www/index.html');
const load = watchLoad();
const deploy = () => dynia(['app:deploy', '--node', node, '--compose', join(app, 'compose.yaml'), '--json'], stateDir);
try {
  must(await dynia(['node:create', '--name', node], stateDir));
  must(await deploy());
  const ip = JSON.parse(must(await dynia(['node:list', '--json'], stateDir)).stdout)[0].ip;
  const stop = startLoad({ url: `https://${node}.dynia.test/`, ip, connections, expect: /shop v\d+/ });
  const windows: Array<[number, number]> = [];
  const deploys: Array<{ r: any; fileBytes: number }> = [];
  await sleep(4000);
  for (let i = 0; i < rounds; i++) {
    const content = `shop v${i + 2}\n${'x'.repeat(2000 + i)}\n`;
    writeFileSync(page, content);
    const t0 = performance.now();
    const r = must(await deploy());
    windows.push([t0, performance.now()]);
    deploys.push({ r: JSON.parse(r.stdout), fileBytes: Buffer.byteLength(content) });
    await sleep(1500);
  }
  await sleep(2000);
  const samples = await stop();
  const inWindow = (s: Sample) => windows.some(([a, b]) => s.at >= a && s.at <= b);
  const before = samples.filter((s) => s.at < windows[0]![0]);
  const during = samples.filter(inWindow);
  console.log(
    `\nload: ${connections} keep-alive HTTPS connections through Caddy on ${node}; ${rounds} × app:deploy of examples/shop, one file changed each time (${load()})\n`,
  );
  console.log(summarize('before', before));
  console.log(summarize('during', during));
  console.log(`\np99 during / p99 before = ${(p99(during) / p99(before)).toFixed(2)} (target ≤ 2)`);
  console.log(`failed during the deploys: ${during.filter((s) => !s.ok).length} of ${during.length} (target 0 of ≥ 10,000)\n`);
  console.log('deploy        total   build+start→healthy   Dynia overhead   uploaded (changed file)   remote commands   SSH connections');
  for (const { r, fileBytes } of deploys) {
    console.log(
      `${r.deployment.project.padEnd(12)} ${fmt(r.totalMs).padStart(6)} ms  ${fmt(r.appStartMs).padStart(10)} ms  ${fmt(r.totalMs - r.appStartMs).padStart(12)} ms  ${String(r.uploadedBytes).padStart(10)} B (${fileBytes} B)  ${String(r.remote.commands).padStart(12)}  ${String(r.remote.connections).padStart(14)}`,
    );
  }
  const overheads = deploys.map(({ r }) => r.totalMs - r.appStartMs);
  console.log(
    `\nmean Dynia overhead ${fmt(overheads.reduce((a, b) => a + b, 0) / overheads.length)} ms (target ≤ 1500); upload beyond the changed file: max ${Math.max(...deploys.map(({ r, fileBytes }) => r.uploadedBytes - fileBytes))} B (target < 65536)`,
  );
  console.log('\nmean time per step (ms):');
  for (const step of deploys[0]!.r.timings.map((t: { name: string }) => t.name)) {
    const ms = deploys.map(({ r }) => r.timings.find((t: { name: string }) => t.name === step).ms);
    console.log(`  ${step.padEnd(16)} ${fmt(ms.reduce((a: number, b: number) => a + b, 0) / ms.length)}`);
  }
} finally {
  await dynia(['node:destroy', '--name', node, '--yes'], stateDir);
}

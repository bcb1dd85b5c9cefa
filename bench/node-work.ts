/**
 * What each kind of work a redeploy does on a node costs the requests the node serves meanwhile. Under keep-alive
 * HTTPS load through the node's Caddy, one kind of work runs once a second for a spell of a few seconds; spells of
 * every kind alternate, in rounds, with idle ones, and each kind's p99 is set beside idle's from the same run:
 *
 *   idle        nothing
 *   docker-cli  one `docker ps` (what a docker CLI call costs: the CLI's own start-up)
 *   engine-api  the same read from the Engine API with curl (how the deploy reads Docker)
 *   move        a container leaves `edge` and joins it again through the Engine API (the swap's alias move)
 *   start-stop  a created container started, then stopped (a redeploy starts one version and stops another)
 *   start-kill  the same, killed instead of stopped
 *   no-network  start-stop of a container with no network: what of its cost is the container's networks
 *   two-networks start-stop of a container on `edge` and one more network (an entry that shares its app's network)
 *
 *   dynia sandbox up && eval "$(dynia sandbox env)" && node --import tsx bench/node-work.ts [rounds] [connections]
 *
 * The work runs in one shell on the node host, kept open, so nothing but the work itself is measured. Beside
 * each kind's p99, the CPU the node's Docker daemon and containerd spent on one run of it (their /proc counters,
 * with the children they waited for: dockerd's re-execs), which is what the requests compete with.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX } from '../sandbox/layout.js';
import { dynia, fmt, p99, requireSandbox, startLoad, watchLoad, type Sample } from './lib.js';

requireSandbox();
const rounds = Number(process.argv[2] ?? 3);
const connections = Number(process.argv[3] ?? 32);
const SPELL_MS = 4000;
const stateDir = mkdtempSync(join(tmpdir(), 'dynia-bench-work-'));
const node = 'bench-work';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const API = 'curl -sS --unix-socket /var/run/docker.sock';
const WORK: Record<string, string> = {
  idle: 'true',
  'docker-cli': 'docker ps -q',
  'engine-api': `${API} http://docker/containers/json`,
  move: `${API} -X POST -H 'Content-Type: application/json' --data-raw '{"Container":"bench-work-x"}' http://docker/networks/edge/disconnect && ${API} -X POST -H 'Content-Type: application/json' --data-raw '{"Container":"bench-work-x"}' http://docker/networks/edge/connect`,
  'start-stop': `${API} -X POST http://docker/containers/bench-work-y/start && sleep 0.3 && ${API} -X POST 'http://docker/containers/bench-work-y/stop?t=1'`,
  'start-kill': `${API} -X POST http://docker/containers/bench-work-y/start && sleep 0.3 && ${API} -X POST http://docker/containers/bench-work-y/kill`,
  'no-network': `${API} -X POST http://docker/containers/bench-work-z/start && sleep 0.3 && ${API} -X POST 'http://docker/containers/bench-work-z/stop?t=1'`,
  'two-networks': `${API} -X POST http://docker/containers/bench-work-w/start && sleep 0.3 && ${API} -X POST 'http://docker/containers/bench-work-w/stop?t=1'`,
};

/** dockerd's and containerd's CPU so far in clock ticks: user and system, their own and their waited children's. */
const DAEMON_TICKS = "cat /proc/$(pidof dockerd)/stat /proc/$(pidof containerd)/stat | awk '{t += $14 + $15 + $16 + $17} END {print t}'";
/** /proc counts CPU in USER_HZ ticks, 100 a second on Linux. */
const MS_PER_TICK = 10;

/** One shell on the node host; `run` sends a script and resolves, once it has ended, with the daemons' CPU it took. */
function nodeShell(host: string) {
  const shell = spawn('docker', ['exec', '-i', host, 'sh'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let pending: ((daemonMs: number) => void) | undefined;
  let seen = '';
  shell.stdout.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    const done = /@@done@@ (\d+)/.exec(seen);
    if (!done) return;
    seen = '';
    const resolve = pending;
    pending = undefined;
    resolve?.(Number(done[1]) * MS_PER_TICK);
  });
  return {
    run: (script: string) =>
      new Promise<number>((resolve) => {
        pending = resolve;
        shell.stdin.write(`t0=$(${DAEMON_TICKS}); { ${script}; } >/dev/null 2>&1; echo "@@done@@ $(( $(${DAEMON_TICKS}) - t0 ))"\n`);
      }),
    close: () => shell.stdin.end(),
  };
}

const must = <R extends { code: number; stderr: string }>(r: R, what: string): R => {
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr}`);
  return r;
};

const load = watchLoad();
try {
  must(await dynia(['node:create', '--name', node], stateDir), 'node:create');
  const app = join(stateDir, 'hello.yaml');
  writeFileSync(
    app,
    'services:\n  web:\n    image: caddy:2\n    command: ["caddy", "respond", "--listen", ":8080", "--body", "hello"]\n    expose: ["8080"]\n',
  );
  must(await dynia(['app:deploy', '--node', node, '--compose', app, '--name', 'hello'], stateDir), 'app:deploy');
  const record = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')).nodes.find((n: { name: string }) => n.name === node);
  const shell = nodeShell(`${SANDBOX.dropletPrefix}${record.dropletId}`);
  // The containers the work moves and starts: the app's image, on edge, beside the app.
  await shell.run(
    'docker run -d --name bench-work-x --network edge caddy:2 caddy respond --listen :9 && docker create --name bench-work-y --network edge caddy:2 caddy respond --listen :9 && docker create --name bench-work-z --network none caddy:2 caddy respond --listen :9 && docker network create bench-work-app && docker create --name bench-work-w --network bench-work-app caddy:2 caddy respond --listen :9 && docker network connect edge bench-work-w',
  );
  const stop = startLoad({ url: `https://${record.fqdn}/`, ip: record.ip, connections });
  await sleep(3000);
  const spells: Array<{ kind: string; from: number; to: number }> = [];
  const daemonMs = new Map<string, number[]>(Object.keys(WORK).map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    for (const kind of Object.keys(WORK).flatMap((k) => (k === 'idle' ? [] : ['idle', k]))) {
      const from = performance.now();
      while (performance.now() - from < SPELL_MS) {
        const t0 = performance.now();
        daemonMs.get(kind)!.push(await shell.run(WORK[kind]!));
        await sleep(Math.max(0, 1000 - (performance.now() - t0)));
      }
      spells.push({ kind, from, to: performance.now() });
    }
  }
  const samples = await stop();
  shell.close();
  const of = (kind: string): Sample[] =>
    spells.filter((s) => s.kind === kind).flatMap((s) => samples.filter((x) => x.at >= s.from && x.at < s.to));
  const idle = p99(of('idle'));
  console.log(
    `\n${rounds} rounds of ${SPELL_MS / 1000} s spells, the work once a second, under ${connections} keep-alive HTTPS connections (${load()})\n`,
  );
  console.log("| work (once a second) | requests | failed | p99 | p99 / idle | Docker daemons' CPU per run (mean) |");
  console.log('|---|---|---|---|---|---|');
  for (const kind of Object.keys(WORK)) {
    const xs = of(kind);
    const cpu = daemonMs.get(kind)!;
    console.log(
      `| ${kind} | ${xs.length} | ${xs.filter((s) => !s.ok).length} | ${fmt(p99(xs))} ms | ${(p99(xs) / idle).toFixed(2)} | ${fmt(cpu.reduce((a, b) => a + b, 0) / cpu.length)} ms |`,
    );
  }
} finally {
  await dynia(['node:destroy', '--name', node, '--yes'], stateDir);
}

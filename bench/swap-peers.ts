/**
 * The swap beside its peers, in one run, each on its own fresh node behind the same Caddy (the Caddyfile Dynia
 * renders, resolving the domain's alias every 200 ms) under the same load (keep-alive HTTPS through Caddy):
 *
 *   dynia    `dynia app:deploy` (blue/green, health-gated, drained by evidence)
 *   compose  `docker compose up -d` of the changed file in place (what people do by hand)
 *   swarm    Docker Swarm `service update`, start-first with a healthcheck (endpoint_mode dnsrr on an attachable
 *            overlay network: the sandbox kernel has no IPVS for Swarm's virtual IPs)
 *
 *   dynia sandbox up && eval "$(dynia sandbox env)" && node --import tsx bench/swap-peers.ts [redeploys] [connections] [dynia,compose,swarm]
 *
 * Prints per approach: requests during the redeploys, failed, p99 before → during and their ratio, wall time per
 * redeploy; for Dynia also its own overhead (total minus the app's start-to-healthy) and remote commands.
 * `during` is each approach's own redeploy time, so a slower one spreads the same disturbance over more quiet
 * samples: the p99 in the same SWITCH_WINDOW_MS around each one's first answer from the new version is printed
 * beside it. And the CPU each redeploy gives the node beyond serving (node-cpu.ts): the same work held in a
 * shorter window takes a larger share of the cores from the load.
 * Targets (issue 11): 0 failed; p99 during / before ≤ 1.3; Dynia overhead ≤ 1.0 s median; ≤ 10 commands, 1 SSH.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { upstreamAlias } from '../src/node/caddy/upstream-alias.js';
import { SANDBOX } from '../sandbox/layout.js';
import { dynia, fmt, p99, percentile, requireSandbox, startLoad, watchLoad, type Sample } from './lib.js';
import { nodeCpu } from './node-cpu.js';

requireSandbox();
const redeploys = Number(process.argv[2] ?? 6);
const connections = Number(process.argv[3] ?? 32);
const approaches = (process.argv[4] ?? 'dynia,compose,swarm').split(',') as Approach[];
type Approach = 'dynia' | 'compose' | 'swarm';

const stateDir = mkdtempSync(join(tmpdir(), 'dynia-bench-peers-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const must = <R extends { code: number; stderr: string }>(r: R, what: string): R => {
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr}`);
  return r;
};
const body = (v: number) => `hello from dynia example v${v}`;
const version = (i: number) => (i % 2 === 0 ? 2 : 1);

/**
 * Every approach's commands run at the lowest CPU priority (the CLI, and a peer's docker commands on the node),
 * so what is measured is the swap itself, not a client program sharing the sandbox machine with the load.
 */
const NICE = 19;
/**
 * The Dynia CLI's own niceness (DYNIA_BENCH_CLI_NICE, default NICE): at 19 on a machine busy with other work the
 * CLI gets almost no CPU and its wall time grows; 0 shows its time as on an operator's own machine.
 */
const CLI_NICE = Number(process.env.DYNIA_BENCH_CLI_NICE ?? NICE);

/** Runs a script on a node host (the sandbox's droplet container), values as arguments. */
function onNode(host: string, script: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'docker',
      ['exec', host, 'sh', '-c', `renice -n ${NICE} -p $$ >/dev/null; ${script}`, 'sh', ...args],
      { maxBuffer: 16 << 20 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${script.split('\n')[0]} on ${host}: ${stderr || error.message}`)) : resolve(stdout),
    );
    if (child.pid) setPriority(child.pid, NICE);
  });
}

// `caddy respond` is a keep-alive Go server, so the app is not the bottleneck (busybox httpd drops SYNs).
const dyniaCompose = (v: number) => {
  const path = join(stateDir, `hello-v${v}.yaml`);
  writeFileSync(
    path,
    `services:\n  web:\n    image: caddy:2\n    command: ["caddy", "respond", "--listen", ":8080", "--body", "${body(v)}"]\n    expose: ["8080"]\n`,
  );
  return path;
};
/** The same app for the in-place peer: it holds the alias itself (a recreated container keeps it). */
const peerCompose = (v: number, alias: string) =>
  `services:\n  web:\n    image: caddy:2\n    command: ["caddy", "respond", "--listen", ":8080", "--body", "${body(v)}"]\n    networks:\n      edge:\n        aliases: ["${alias}"]\nnetworks:\n  edge:\n    external: true\n`;

interface Redeploy {
  wallMs: number;
  dynia?: { totalMs: number; appStartMs: number; commands: number; connections: number; timings: Array<{ name: string; ms: number }> };
}

interface Peer {
  /** After the node exists and Dynia's first deploy routes the domain's alias: set the approach up (v1). */
  setup(host: string, alias: string, ip: string): Promise<void>;
  redeploy(host: string, v: number): Promise<Redeploy>;
}

const timed = async (run: () => Promise<unknown>): Promise<Redeploy> => {
  const t0 = performance.now();
  await run();
  return { wallMs: performance.now() - t0 };
};

/** One replica, healthy once it answers; an update starts the new task first and stops the old once healthy. */
const SWARM_SERVICE = [
  'docker service create --quiet --detach=false --name web --network "name=peer,alias=$1" --endpoint-mode dnsrr',
  '--env V=1 --health-cmd "wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1" --health-interval 1s --health-timeout 2s --health-retries 3',
  '--update-order start-first --update-parallelism 1 --update-delay 0s',
  `caddy:2 sh -c 'exec caddy respond --listen :8080 --body "hello from dynia example v$V"' >/dev/null`,
].join(' ');

const PEERS: Record<Approach, Peer> = {
  dynia: {
    async setup() {},
    async redeploy(_host, v) {
      const t0 = performance.now();
      const r = must(
        await dynia(
          ['app:deploy', '--node', nodeName('dynia'), '--compose', dyniaCompose(v), '--name', 'hello', '--force', '--json'],
          stateDir,
          CLI_NICE,
        ),
        'app:deploy',
      );
      const wallMs = performance.now() - t0;
      const out = JSON.parse(r.stdout);
      return {
        wallMs,
        dynia: {
          totalMs: out.totalMs,
          appStartMs: out.appStartMs,
          commands: out.remote.commands,
          connections: out.remote.connections,
          timings: out.timings,
        },
      };
    },
  },
  compose: {
    async setup(host, alias) {
      await onNode(
        host,
        'mkdir -p /opt/bench && printf %s "$1" > /opt/bench/v1.yaml && printf %s "$2" > /opt/bench/v2.yaml',
        peerCompose(1, alias),
        peerCompose(2, alias),
      );
      await onNode(host, 'docker compose -p peer -f /opt/bench/v1.yaml up -d --quiet-pull 2>&1 && docker rm -f hello-blue-web-1');
    },
    redeploy: (host, v) => timed(() => onNode(host, 'docker compose -p peer -f "$1" up -d 2>&1', `/opt/bench/v${v}.yaml`)),
  },
  swarm: {
    async setup(host, alias, ip) {
      await onNode(
        host,
        'docker swarm init --advertise-addr "$1" >/dev/null && docker network create -d overlay --attachable peer >/dev/null && docker network connect peer dynia-caddy',
        ip,
      );
      await onNode(host, `${SWARM_SERVICE} && docker rm -f hello-blue-web-1 >/dev/null`, alias);
    },
    redeploy: (host, v) => timed(() => onNode(host, 'docker service update --quiet --detach=false --env-add "V=$1" web', String(v))),
  },
};

const nodeName = (approach: Approach) => `bench-peer-${approach}`;

/** The like-for-like window: this long, centred on a redeploy's first answer from the new version. */
const SWITCH_WINDOW_MS = 2000;
const versionOf = (body: string) => /v(\d+)$/.exec(body)?.[1];

interface Row {
  approach: Approach;
  before: Sample[];
  during: Sample[];
  /** Every sample outside the redeploys once they began: a steadier baseline on a busy machine. */
  between: Sample[];
  /** Samples within SWITCH_WINDOW_MS around each redeploy's switch, and when each switch came (ms into it). */
  around: Sample[];
  switchedAfterMs: number[];
  /** p99 per 250 ms of time into the redeploys, and per 100 ms of time from the switch. */
  slices: string;
  switchSlices: string;
  redeploys: Redeploy[];
  /** The node's CPU per redeploy beyond Caddy and the apps, less what it spends while only serving (nodeCpu). */
  nodeCpuMs: number[];
}

async function measure(approach: Approach): Promise<Row> {
  const node = nodeName(approach);
  must(await dynia(['node:create', '--name', node], stateDir), 'node:create');
  must(await dynia(['app:deploy', '--node', node, '--compose', dyniaCompose(1), '--name', 'hello'], stateDir), 'app:deploy');
  const record = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')).nodes.find((n: { name: string }) => n.name === node);
  const host = `${SANDBOX.dropletPrefix}${record.dropletId}`;
  const peer = PEERS[approach];
  await peer.setup(host, upstreamAlias(record.fqdn), record.ip);
  const stop = startLoad({
    url: `https://${record.fqdn}/`,
    ip: record.ip,
    connections,
    expect: /hello from dynia example v[12]/,
    tag: versionOf,
  });
  const windows: Array<[number, number]> = [];
  const results: Redeploy[] = [];
  // The node's own CPU while it only serves, then from each redeploy's start to the next one's (its tail included).
  const cpu = nodeCpu(host);
  const idleFrom = [performance.now(), cpu.ownMs()] as const;
  await sleep(4000);
  const idleRate = (cpu.ownMs() - idleFrom[1]) / (performance.now() - idleFrom[0]);
  const nodeCpuMs: number[] = [];
  for (let i = 0; i < redeploys; i++) {
    const t0 = performance.now();
    const own0 = cpu.ownMs();
    results.push(await peer.redeploy(host, version(i)));
    windows.push([t0, performance.now()]);
    await sleep(1500);
    nodeCpuMs.push(cpu.ownMs() - own0 - idleRate * (performance.now() - t0));
  }
  cpu.stop();
  const samples = await stop();
  const switches = windows.map(([a], i) => samples.find((x) => x.at >= a && x.tag === String(version(i)))?.at ?? NaN);
  const nearSwitch = (x: Sample) => switches.some((at) => Math.abs(x.at - at) <= SWITCH_WINDOW_MS / 2);
  const inWindow = (s: Sample) => windows.some(([a, b]) => s.at >= a && s.at <= b);
  const during = samples.filter(inWindow);
  const nearest = (x: Sample) => switches.reduce((best, at) => (Math.abs(x.at - at) < Math.abs(x.at - best) ? at : best));
  const around = samples.filter(nearSwitch);
  return {
    approach,
    during,
    redeploys: results,
    nodeCpuMs,
    before: samples.filter((s) => s.at < windows[0]![0]),
    between: samples.filter((s) => !inWindow(s) && s.at > windows[0]![0]),
    around,
    switchedAfterMs: switches.map((at, i) => Math.round(at - windows[i]![0])),
    slices: sliced(during, (x) => windows.find(([a, b]) => x.at >= a && x.at <= b)![0], 250),
    switchSlices: sliced(around, nearest, 100),
  };
}

/** p99 per `width` ms of time since `origin`, all redeploys together: where a tail comes from. */
function sliced(xs: Sample[], origin: (x: Sample) => number, width: number): string {
  const slices = new Map<number, Sample[]>();
  for (const x of xs) {
    const k = Math.floor((x.at - origin(x)) / width);
    const slice = slices.get(k);
    if (slice) slice.push(x);
    else slices.set(k, [x]);
  }
  return [...slices.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, ys]) => `${k * width}ms ${fmt(p99(ys))}`)
    .join(' | ');
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const range = (xs: number[]) =>
  `${(median(xs) / 1000).toFixed(2)} s (${(Math.min(...xs) / 1000).toFixed(2)}–${(Math.max(...xs) / 1000).toFixed(2)})`;

const rows: Row[] = [];
const load = watchLoad();
try {
  for (const approach of approaches) {
    try {
      rows.push(await measure(approach));
    } finally {
      await dynia(['node:destroy', '--name', nodeName(approach), '--yes'], stateDir);
    }
  }
} finally {
  console.log(
    `\n${redeploys} redeploys per approach, alternating two versions, under ${connections} keep-alive HTTPS connections through the node's Caddy (${load()}; Dynia CLI at nice ${CLI_NICE})\n`,
  );
  console.log('| approach | requests during | failed | p99 before → during | ratio | redeploy wall time (median, range) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const failed = r.during.filter((s) => !s.ok);
    const errors = [...new Set(failed.map((s) => s.error))].slice(0, 2).join('; ');
    console.log(
      `| ${r.approach} | ${r.during.length} | ${failed.length}${errors ? ` (${errors})` : ''} | ${fmt(p99(r.before))} → ${fmt(p99(r.during))} ms | ${(p99(r.during) / p99(r.before)).toFixed(2)} | ${range(r.redeploys.map((d) => d.wallMs))} |`,
    );
  }
  console.log(
    `\nNot hanging on how long a redeploy takes: p99 in the same ${SWITCH_WINDOW_MS / 1000} s around each one's first answer from the new version:\n`,
  );
  console.log('| approach | requests | p99 before → around the switch | ratio | switch came (ms into the redeploy) |');
  console.log('|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.approach} | ${r.around.length} | ${fmt(p99(r.before))} → ${fmt(p99(r.around))} ms | ${(p99(r.around) / p99(r.before)).toFixed(2)} | ${r.switchedAfterMs.join(', ')} |`,
    );
  console.log(
    "\nThe work each redeploy gives the node beyond serving: its Docker daemons' and the approach's commands' CPU, from the redeploy's start to the next one's, less the node's own while it only served:\n",
  );
  console.log('| approach | node CPU per redeploy (median, range) |');
  console.log('|---|---|');
  for (const r of rows)
    console.log(`| ${r.approach} | ${fmt(median(r.nodeCpuMs))} ms (${fmt(Math.min(...r.nodeCpuMs))}–${fmt(Math.max(...r.nodeCpuMs))}) |`);
  console.log('');
  for (const r of rows)
    console.log(
      `${r.approach}: p99 outside the redeploys ${fmt(p99(r.between))} ms (during / outside ${(p99(r.during) / p99(r.between)).toFixed(2)}); p99 by time into a redeploy: ${r.slices}\n  p99 by time from the switch: ${r.switchSlices}`,
    );
  const d = rows.find((r) => r.approach === 'dynia');
  if (d) {
    const own = d.redeploys.map((x) => x.dynia!);
    console.log(
      `\nDynia per redeploy: total ${own.map((x) => x.totalMs).join(', ')} ms; app start→healthy ${own.map((x) => x.appStartMs).join(', ')} ms`,
    );
    console.log(
      `Dynia overhead (total minus app start→healthy): median ${fmt(median(own.map((x) => x.totalMs - x.appStartMs)))} ms (${own.map((x) => x.totalMs - x.appStartMs).join(', ')}); target ≤ 1000`,
    );
    const outside = own.map((x) => Math.round(x.totalMs - x.timings.reduce((a, t) => a + t.ms, 0)));
    console.log(`Dynia outside its steps (lock, state, plan, session, audit): ${outside.join(', ')} ms`);
    const steps = own[0]!.timings.map((t) => t.name);
    console.log(
      `Dynia mean time per step: ${steps.map((name) => `${name} ${fmt(own.reduce((a, x) => a + x.timings.find((t) => t.name === name)!.ms, 0) / own.length)}`).join(', ')} ms`,
    );
    console.log(
      `remote commands per redeploy: ${[...new Set(own.map((x) => x.commands))].join(', ')}; SSH connections: ${[...new Set(own.map((x) => x.connections))].join(', ')}`,
    );
  }
}

/**
 * A fleet redeploy costs about one node's: the same app redeployed (--force) to one node and to two nodes,
 * alternating, in the same run. Prints the wall time of each (the CLI process, start to exit), their ratio,
 * and remote commands and SSH connections per node for both.
 *
 *   dynia sandbox up && eval "$(dynia sandbox env)" && node --import tsx bench/fleet-deploy.ts [rounds]
 *
 * Targets: wall(2 nodes) / wall(1 node) ≤ 1.3; remote commands and SSH connections per node the same.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynia, fmt, requireSandbox } from './lib.js';

requireSandbox();
const rounds = Number(process.argv[2] ?? 5);
const stateDir = mkdtempSync(join(tmpdir(), 'dynia-bench-fleet-'));
const nodes = ['bench-fleet-a', 'bench-fleet-b'];
const must = <R extends { code: number; stderr: string }>(r: R): R => {
  if (r.code !== 0) throw new Error(r.stderr);
  return r;
};
const compose = join(stateDir, 'hello.yaml');
writeFileSync(
  compose,
  'services:\n  web:\n    image: caddy:2\n    command: ["caddy", "respond", "--listen", ":8080", "--body", "hello"]\n    expose: ["8080"]\n',
);

interface Run {
  wallMs: number;
  perNode: Array<{ node: string; commands: number; connections: number; timings: Array<{ name: string; ms: number }> }>;
}

async function redeploy(targets: string[]): Promise<Run> {
  const t0 = performance.now();
  const r = must(
    await dynia(['app:deploy', '--node', targets.join(','), '--compose', compose, '--name', 'hello', '--force', '--json'], stateDir),
  );
  const wallMs = performance.now() - t0;
  const out = JSON.parse(r.stdout);
  const list = out.nodes ?? [{ node: targets[0], remote: out.remote, timings: out.timings }];
  type Node = { node: string; remote: { commands: number; connections: number }; timings: Run['perNode'][number]['timings'] };
  return { wallMs, perNode: list.map((n: Node) => ({ node: n.node, ...n.remote, timings: n.timings })) };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  for (const node of nodes) must(await dynia(['node:create', '--name', node], stateDir));
  must(await dynia(['app:deploy', '--node', nodes.join(','), '--compose', compose, '--name', 'hello'], stateDir));
  const one: Run[] = [];
  const two: Run[] = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate so that any drift of the machine's load hits both equally.
    if (i % 2 === 0) {
      one.push(await redeploy([nodes[0]!]));
      two.push(await redeploy(nodes));
    } else {
      two.push(await redeploy(nodes));
      one.push(await redeploy([nodes[0]!]));
    }
  }
  console.log(`\nredeploy of one app, ${rounds} rounds each, alternating\n`);
  console.log('           wall mean   wall median   remote commands per node   SSH connections per node');
  for (const [label, runs] of [
    ['1 node ', one],
    ['2 nodes', two],
  ] as const) {
    const commands = [...new Set(runs.flatMap((r) => r.perNode.map((n) => n.commands)))].join('/');
    const connections = [...new Set(runs.flatMap((r) => r.perNode.map((n) => n.connections)))].join('/');
    console.log(
      `${label}    ${fmt(mean(runs.map((r) => r.wallMs))).padStart(8)} ms  ${fmt(median(runs.map((r) => r.wallMs))).padStart(8)} ms   ${commands.padStart(16)}   ${connections.padStart(22)}`,
    );
  }
  // Where the difference goes: each step's mean time per node, and (2 nodes) the slower node's.
  const steps = one[0]!.perNode[0]!.timings.map((t) => t.name);
  const stepMs = (runs: Run[], pick: (xs: number[]) => number) => (step: string) =>
    mean(runs.map((r) => pick(r.perNode.map((n) => n.timings.find((t) => t.name === step)?.ms ?? 0))));
  console.log('\nstep               1 node   2 nodes (mean of nodes)   2 nodes (slower node)');
  for (const step of steps) {
    console.log(
      `${step.padEnd(16)} ${fmt(stepMs(one, mean)(step)).padStart(8)}   ${fmt(stepMs(two, mean)(step)).padStart(20)}   ${fmt(stepMs(two, (xs) => Math.max(...xs))(step)).padStart(20)}`,
    );
  }
  const ratio = mean(two.map((r) => r.wallMs)) / mean(one.map((r) => r.wallMs));
  const ratioMedian = median(two.map((r) => r.wallMs)) / median(one.map((r) => r.wallMs));
  console.log(`\nwall 2 nodes / 1 node: ${ratio.toFixed(2)} (means), ${ratioMedian.toFixed(2)} (medians) (target ≤ 1.3)`);
} finally {
  for (const node of nodes) await dynia(['node:destroy', '--name', node, '--yes'], stateDir);
}

import { readFile } from 'node:fs/promises';
import { composeHash } from '../../compose/hash.js';
import { parseCompose } from '../../compose/parse.js';
import { InputError } from '../../errors.js';
import { parseDuration } from '../../validate/duration.js';
import { appNameFor } from '../../workflows/app-plan.js';
import { fleetDeploy, planFleet, type NodeDeployResult } from '../../workflows/fleet-deploy.js';
import { nodeNames, parallelism, selectNodes } from '../../workflows/node-selection.js';
import { withWorkflow } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { formatMs, printJson } from '../output.js';

async function readComposeFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw InputError(`--compose ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}.`, 'Pass the path of your compose file, e.g. --compose ./compose.yaml');
  }
}

export async function appDeployCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  // Everything local is checked before the lock and before any connection: bad input changes nothing.
  const composePath = String(opts.compose);
  const names = nodeNames({ node: opts.node as string[] | undefined, all: opts.all === true }, 'app:deploy');
  const parallel = parallelism(opts.parallel);
  const text = await readComposeFile(composePath);
  const file = parseCompose(text, composePath);
  const app = appNameFor(composePath, opts.name === undefined ? undefined : String(opts.name));
  const timeoutMs = parseDuration(String(opts.timeout), '--timeout');
  const t0 = performance.now();
  const outcome = await withWorkflow('app:deploy', globals, async (deps) => {
    const nodes = selectNodes(deps.tx.state, names, 'app:deploy');
    const plan = planFleet(deps.tx.state, { app, nodes, file, hash: composeHash(text), force: Boolean(opts.force) });
    for (const { service, ports } of plan.plans[0]?.override.strippedPorts ?? []) {
      deps.reporter.warn(`service ${service}: host ports ${ports.join(', ')} are not published (Caddy routes over network edge; blue and green would collide)`);
    }
    for (const p of plan.unchanged) deps.reporter.stepSkipped(`${app} on ${p.node.name}`, `already runs this compose file (${p.hash.slice(0, 12)}); --force redeploys`);
    if (plan.plans.length === 0) return { plan, result: undefined };
    try {
      return { plan, result: await fleetDeploy(plan, { composeText: text, timeoutMs, parallel }, deps) };
    } catch (error) {
      const results = (error as { results?: NodeDeployResult[] }).results;
      if (results && results.length > 1 && !globals.quiet) process.stderr.write(summary(results));
      throw error;
    }
  });
  const { plan, result } = outcome;
  const urls = [...plan.plans, ...plan.unchanged].map((p) => `https://${p.entry.domain}/`);
  if (!result) {
    if (globals.json) return printJson({ unchanged: true, deployment: plan.unchanged[0]?.previous, deployments: plan.unchanged.map((p) => p.previous), url: urls[0], urls });
    if (plan.unchanged.length === 1) process.stderr.write(`· ${app} on ${plan.unchanged[0]!.node.name} already runs this compose file (${plan.unchanged[0]!.hash.slice(0, 12)}); nothing to do. Use --force to redeploy.\n`);
    else process.stderr.write(`· ${app} already runs this compose file on every node; nothing to do. Use --force to redeploy.\n`);
    process.stdout.write(`${urls.join('\n')}\n`);
    return;
  }
  const totalMs = performance.now() - t0;
  const skipped = plan.unchanged.map((p) => ({ node: p.node.name, outcome: 'unchanged', deployment: p.previous }));
  if (result.nodes.length === 1 && skipped.length === 0) {
    const [one] = result.nodes;
    if (globals.json) return printJson({ deployment: one!.deployment, url: urls[0], timings: one!.timings, remote: one!.remote, appStartMs: Math.round(one!.appStartMs), totalMs: Math.round(totalMs), ...(result.release ? { release: result.release } : {}) });
    process.stderr.write(`✓ ${app} deployed to ${one!.node} as ${one!.project} in ${formatMs(totalMs)} (app start ${formatMs(one!.appStartMs)}; ${one!.remote.commands} remote commands, ${one!.remote.connections} SSH connection)\n`);
  } else {
    if (globals.json) return printJson({ app, nodes: [...result.nodes, ...skipped], urls, totalMs: Math.round(totalMs), ...(result.release ? { release: result.release } : {}) });
    process.stderr.write(summary(result.nodes));
    process.stderr.write(`✓ ${app} deployed to ${result.nodes.length} node(s)${skipped.length ? ` (${skipped.map((s) => s.node).join(', ')} unchanged)` : ''} in ${formatMs(totalMs)}\n`);
  }
  process.stdout.write(`${urls.join('\n')}\n`);
}

/** One line per node: how it ended, its version, time and remote work, and its steps' times. */
function summary(nodes: NodeDeployResult[]): string {
  const mark = { deployed: '✓', failed: '✗', discarded: '·', 'rolled-back': '↺' } as const;
  return `${nodes
    .map((n) => {
      const steps = n.timings.filter((t) => !t.skipped).map((t) => `${t.name} ${formatMs(t.ms)}`).join(', ');
      const why = n.outcome === 'deployed' ? '' : ` — ${n.serving ?? n.reason ?? ''}`;
      return `${mark[n.outcome]} ${n.node.padEnd(12)} ${n.outcome.padEnd(11)} ${n.project.padEnd(14)} ${formatMs(n.ms).padStart(7)}  ${n.remote.commands} cmds/${n.remote.connections} conn  (${steps})${why}`;
    })
    .join('\n')}\n`;
}

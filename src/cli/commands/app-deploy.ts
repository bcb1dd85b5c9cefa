import { readFile } from 'node:fs/promises';
import { composeHash } from '../../compose/hash.js';
import { parseCompose } from '../../compose/parse.js';
import { InputError } from '../../errors.js';
import { parseDuration } from '../../validate/duration.js';
import { appDeploy } from '../../workflows/app-deploy.js';
import { appNameFor, planDeploy } from '../../workflows/app-plan.js';
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
  const text = await readComposeFile(composePath);
  const file = parseCompose(text, composePath);
  const app = appNameFor(composePath, opts.name === undefined ? undefined : String(opts.name));
  const timeoutMs = parseDuration(String(opts.timeout), '--timeout');
  const t0 = performance.now();
  const outcome = await withWorkflow('app:deploy', globals, async (deps) => {
    const plan = planDeploy(deps.tx.state, { node: String(opts.node), app, file, hash: composeHash(text), force: Boolean(opts.force) });
    for (const { service, ports } of plan.override.strippedPorts) {
      deps.reporter.warn(`service ${service}: host ports ${ports.join(', ')} are not published (Caddy routes over network edge; blue and green would collide)`);
    }
    if (plan.unchanged) return { plan, result: undefined };
    return { plan, result: await appDeploy({ plan, composeText: text, timeoutMs }, deps) };
  });
  const { plan, result } = outcome;
  const url = `https://${plan.entry.domain}/`;
  if (!result) {
    if (globals.json) return printJson({ unchanged: true, deployment: plan.previous, url });
    process.stderr.write(`· ${app} on ${plan.node.name} already runs this compose file (${plan.hash.slice(0, 12)}); nothing to do. Use --force to redeploy.\n`);
    process.stdout.write(`${url}\n`);
    return;
  }
  const totalMs = performance.now() - t0;
  if (globals.json) return printJson({ deployment: result.deployment, url, timings: result.timings, remote: result.remote, appStartMs: Math.round(result.appStartMs), totalMs: Math.round(totalMs) });
  process.stderr.write(`✓ ${app} deployed to ${plan.node.name} as ${plan.project} in ${formatMs(totalMs)} (app start ${formatMs(result.appStartMs)}; ${result.remote.commands} remote commands, ${result.remote.connections} SSH connection)\n`);
  process.stdout.write(`${url}\n`);
}

import { loadApp } from '../../compose/app-source.js';
import { StateStore } from '../../state/store.js';
import { parseDuration } from '../../validate/duration.js';
import { appDeploy } from '../../workflows/app-deploy.js';
import { appNameFor, planDeploy, type DeployPlan } from '../../workflows/app-plan.js';
import type { Reporter } from '../../workflows/steps.js';
import { configFor, withWorkflow } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { formatMs, printJson } from '../output.js';
import { dryRunReport, renderDryRun } from './app-dry-run.js';

/** What the user must know before a deploy changes anything: what is data, what is dropped. */
function warnAbout(plan: DeployPlan, warnings: readonly string[], reporter: Reporter): void {
  for (const { service, ports } of plan.override.strippedPorts) {
    reporter.warn(`service ${service}: host ports ${ports.join(', ')} are not published (Caddy routes over network edge; blue and green would collide)`);
  }
  for (const warning of [...warnings, ...plan.warnings]) reporter.warn(warning);
  for (const d of plan.data) reporter.info(`data service ${d.service} (${d.why}): runs once in ${plan.dataProject}, ${d.change === 'unchanged' ? 'left running untouched' : d.change === 'changed' ? 'changed: recreated in place' : 'started in place'}`);
}

export async function appDeployCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  // Everything local is checked before the lock and before any connection: bad input changes nothing.
  const composePath = String(opts.compose);
  const envFiles = Array.isArray(opts.envFile) ? opts.envFile.map(String) : [];
  const source = loadApp(composePath, envFiles);
  const app = appNameFor(composePath, opts.name === undefined ? undefined : String(opts.name), source.file.name);
  const timeoutMs = parseDuration(String(opts.timeout), '--timeout');
  const planFor = (state: Parameters<typeof planDeploy>[0]) =>
    planDeploy(state, { node: String(opts.node), app, file: source.file, model: source.model, files: source.files, hash: source.hash, force: Boolean(opts.force) });
  if (opts.dryRun) {
    const plan = planFor(await new StateStore(configFor(globals).stateDir).load());
    const report = dryRunReport(plan, source.model.warnings, source.envFiles);
    if (globals.json) return printJson(report);
    process.stdout.write(renderDryRun(report));
    return;
  }
  const t0 = performance.now();
  const outcome = await withWorkflow('app:deploy', globals, async (deps) => {
    const plan = planFor(deps.tx.state);
    warnAbout(plan, source.model.warnings, deps.reporter);
    if (plan.unchanged) return { plan, result: undefined };
    const entryHealthcheck = source.file.services.find((s) => s.name === plan.entry.service)!.raw.healthcheck !== undefined;
    const input = { plan, composeText: source.text, interpolationEnv: source.interpolationEnv, readAppFile: (path: string) => source.dir.read(path), entryHealthcheck, timeoutMs };
    return { plan, result: await appDeploy(input, deps) };
  });
  const { plan, result } = outcome;
  const url = `https://${plan.entry.domain}/`;
  if (!result) {
    if (globals.json) return printJson({ unchanged: true, deployment: plan.previous, url });
    process.stderr.write(`· ${app} on ${plan.node.name} already runs this app directory (${plan.hash.slice(0, 12)}); nothing to do. Use --force to redeploy.\n`);
    process.stdout.write(`${url}\n`);
    return;
  }
  const totalMs = performance.now() - t0;
  if (globals.json) {
    return printJson({ deployment: result.deployment, url, timings: result.timings, remote: result.remote, appStartMs: Math.round(result.appStartMs), totalMs: Math.round(totalMs), uploadedBytes: result.uploadedBytes });
  }
  process.stderr.write(`✓ ${app} deployed to ${plan.node.name} as ${plan.project} in ${formatMs(totalMs)} (app start ${formatMs(result.appStartMs)}; ${result.uploadedBytes} bytes uploaded; ${result.remote.commands} remote commands, ${result.remote.connections} SSH connection)\n`);
  process.stdout.write(`${url}\n`);
}

import { parseDuration } from '../../validate/duration.js';
import type { DeployPlan } from './plan.js';
import type { NodeDeployResult } from './fleet.js';
import { collectNodes, nodeNames, parallelism, selectNodes } from '../../deploy/node-selection.js';
import type { Reporter } from '../../lib/steps.js';
import type { WorkflowDeps } from '../../lib/ports.js';
import { defineCommand, flag, list, optional, required, withDefault } from '../../cli/define.js';
import { formatMs, printJson } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';
import { dryRunReport, renderDryRun } from './dry-run.js';

const options = {
  node: list('--node <name>', 'target node (repeat it, or a,b, for a fleet deploy)', collectNodes),
  all: flag('--all', 'every active node', false),
  parallel: withDefault('--parallel <n>', 'nodes worked on at once', '4', parallelism),
  compose: required('--compose <file>', 'compose file of the app'),
  name: optional('--name <app>', "app name (default: the file's top-level name:, else its directory's name)"),
  envFile: list('--env-file <file...>', 'variables to interpolate with, inside the app directory (default: its .env)'),
  dryRun: flag('--dry-run', 'print the plan (entry, files, data services, warnings) without contacting the node', false),
  timeout: withDefault('--timeout <duration>', 'how long the app may take to become healthy (e.g. 60s, 2m)', '60s', parseDuration),
  force: flag('--force', 'deploy even if the same app directory is already active', false),
};

export const appDeployCommand = defineCommand({
  name: 'app:deploy',
  description: 'Deploy a compose app to a node behind Caddy: health-gated, zero-downtime swap, rollback on failure',
  options,
  help: `How the entry point is found:
  service:  the one named "web", or labelled dynia.entry=true; else the only service, else the only one publishing a TCP port
  port:     label dynia.port, else the first TCP ports container port, else the first TCP expose
  domain:   label dynia.domain, else the node's FQDN
Data: a service with a volume or a writable bind-mounted directory (or label dynia.data=true) runs once, updated in place.

Several nodes (--node a --node b, --node a,b, or --all): every node starts the new version and passes its
internal health check (its own health path) before any node swaps; if one fails, none swaps and each new
version is removed. After the swaps, a node failing its external check rolls every node back. Nodes already
running this file are skipped unless --force.

Release step: label dynia.release: "bin/migrate --yes" on the entry runs that command once per deploy, in a
one-off container of the new version on the first node, after start and before any swap; a non-zero exit
stops the deploy (nothing swaps) and shows its output.

Examples:
  dynia app:deploy --node web-1 --compose ./compose.yaml
  dynia app:deploy --all --compose ./compose.yaml --parallel 2
  dynia app:deploy --node web-1,web-2 --compose ./compose.yaml --force
  dynia app:deploy --node web-1 --compose examples/shop/compose.yaml --dry-run
  dynia app:deploy --node web-1 --compose ./compose.yaml --env-file .env.prod`,
  run: runAppDeploy,
});

/** What the user must know before a deploy changes anything: what is data, what is dropped. */
function warnAbout(plan: DeployPlan, warnings: readonly string[], reporter: Reporter): void {
  for (const { service, ports } of plan.override.strippedPorts) {
    reporter.warn(
      `service ${service}: host ports ${ports.join(', ')} are not published (Caddy routes over network edge; blue and green would collide)`,
    );
  }
  for (const warning of [...warnings, ...plan.warnings]) reporter.warn(warning);
  for (const d of plan.data)
    reporter.info(
      `data service ${d.service} (${d.why}): runs once in ${plan.dataProject}, ${d.change === 'unchanged' ? 'left running untouched' : d.change === 'changed' ? 'changed: recreated in place' : 'started in place'}`,
    );
}

async function runAppDeploy(args: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { closeAhead, configFor, openSessionsAhead, withWorkflow } = await import('../../cli/context.js');
  // Everything local is checked before the lock and before any command on a node: bad input changes nothing. The
  // SSH handshakes (a session alone changes nothing) go on meanwhile, while the rest of the command loads.
  const names = nodeNames({ node: args.node, all: args.all }, 'app:deploy');
  const ahead = args.dryRun ? undefined : openSessionsAhead(globals, (state) => selectNodes(state, names, 'app:deploy'));
  const { loadApp } = await import('../../compose/app-source.js');
  const { StateStore } = await import('../../state/store.js');
  const { appNameFor, planDeploy } = await import('./plan.js');
  const { fleetDeploy, planFleet, reconcileUnchanged } = await import('./fleet.js');
  const { parallel, timeout: timeoutMs } = args;
  let source: ReturnType<typeof loadApp>;
  let app: string;
  try {
    source = loadApp(args.compose, args.envFile);
    app = appNameFor(args.compose, args.name, source.file.name);
  } catch (error) {
    await closeAhead(ahead);
    throw error;
  }
  const planNode = (state: Parameters<typeof planDeploy>[0], node: string, force = args.force) =>
    planDeploy(state, { node, app, file: source.file, model: source.model, files: source.files, hash: source.hash, force });
  const fleetPlan = (state: Parameters<typeof planDeploy>[0]) =>
    planFleet({ app, file: source.file, nodes: selectNodes(state, names, 'app:deploy'), planNode: (node) => planNode(state, node) });
  if (args.dryRun) {
    const plan = fleetPlan(await new StateStore(configFor(globals).stateDir).load());
    const reports = [...plan.plans, ...plan.unchanged].map((p) => dryRunReport(p, source.model.warnings, source.envFiles));
    if (globals.json) return printJson(reports.length === 1 ? reports[0] : reports);
    process.stdout.write(reports.map(renderDryRun).join('\n'));
    return;
  }
  const t0 = performance.now();
  const underLock = async (deps: WorkflowDeps) => {
    // Nodes that already run the file are compared with state too (an interrupted run may have left them half-done).
    const plan = await reconcileUnchanged(fleetPlan(deps.tx.state), deps, (node) => planNode(deps.tx.state, node, true));
    const first = plan.plans[0] ?? plan.unchanged[0]!;
    warnAbout(first, source.model.warnings, deps.reporter);
    // A node's own warnings (what it runs now) for every other node too.
    for (const p of [...plan.plans, ...plan.unchanged].filter((x) => x !== first))
      for (const w of p.warnings) deps.reporter.warn(`${p.node.name}: ${w}`);
    if (plan.plans.length === 0) return { plan, result: undefined };
    for (const p of plan.unchanged)
      deps.reporter.stepSkipped(`${app} on ${p.node.name}`, `already runs this app directory (${p.hash.slice(0, 12)}); --force redeploys`);
    const entryHealthcheck = source.file.services.find((s) => s.name === first.entry.service)!.raw.healthcheck !== undefined;
    const input = {
      composeText: source.text,
      interpolationEnv: source.interpolationEnv,
      readAppFile: (path: string) => source.dir.read(path),
      entryHealthcheck,
      timeoutMs,
      parallel,
    };
    try {
      return { plan, result: await fleetDeploy(plan, input, deps) };
    } catch (error) {
      const results = (error as { results?: NodeDeployResult[] }).results;
      if (results && results.length > 1 && !globals.quiet) process.stderr.write(summary(results));
      throw error;
    }
  };
  const outcome = await withWorkflow('app:deploy', globals, underLock, ahead ? { ahead } : {});
  const { plan, result } = outcome;
  const urls = [...plan.plans, ...plan.unchanged].map((p) => `https://${p.entry.domain}/`);
  if (!result) {
    if (globals.json)
      return printJson({
        unchanged: true,
        repaired: plan.repaired,
        deployment: plan.unchanged[0]?.previous,
        deployments: plan.unchanged.map((p) => p.previous),
        url: urls[0],
        urls,
      });
    const rest = plan.repaired ? `repaired ${plan.repaired} difference(s) from state (above); nothing else to do` : 'nothing to do';
    if (plan.unchanged.length === 1)
      process.stderr.write(
        `· ${app} on ${plan.unchanged[0]!.node.name} already runs this app directory (${plan.unchanged[0]!.hash.slice(0, 12)}); ${rest}. Use --force to redeploy.\n`,
      );
    else process.stderr.write(`· ${app} already runs this app directory on every node; ${rest}. Use --force to redeploy.\n`);
    process.stdout.write(`${urls.join('\n')}\n`);
    return;
  }
  const totalMs = performance.now() - t0;
  const skipped = plan.unchanged.map((p) => ({ node: p.node.name, outcome: 'unchanged', deployment: p.previous }));
  const release = result.release ? { release: result.release } : {};
  if (result.nodes.length === 1 && skipped.length === 0) {
    const one = result.nodes[0]!;
    if (globals.json) {
      return printJson({
        deployment: one.deployment,
        url: urls[0],
        timings: one.timings,
        remote: one.remote,
        appStartMs: Math.round(one.appStartMs),
        totalMs: Math.round(totalMs),
        uploadedBytes: one.uploadedBytes,
        ...release,
      });
    }
    process.stderr.write(
      `✓ ${app} deployed to ${one.node} as ${one.project} in ${formatMs(totalMs)} (app start ${formatMs(one.appStartMs)}; ${one.uploadedBytes} bytes uploaded; ${one.remote.commands} remote commands, ${one.remote.connections} SSH connection)\n`,
    );
  } else {
    if (globals.json) return printJson({ app, nodes: [...result.nodes, ...skipped], urls, totalMs: Math.round(totalMs), ...release });
    process.stderr.write(summary(result.nodes));
    process.stderr.write(
      `✓ ${app} deployed to ${result.nodes.length} node(s)${skipped.length ? ` (${skipped.map((s) => s.node).join(', ')} unchanged)` : ''} in ${formatMs(totalMs)}\n`,
    );
  }
  process.stdout.write(`${urls.join('\n')}\n`);
}

/** One line per node: how it ended, its version, time and remote work, and its steps' times. */
function summary(nodes: NodeDeployResult[]): string {
  const mark = { deployed: '✓', failed: '✗', discarded: '·', 'rolled-back': '↺' } as const;
  return `${nodes
    .map((n) => {
      const steps = n.timings
        .filter((t) => !t.skipped)
        .map((t) => `${t.name} ${formatMs(t.ms)}`)
        .join(', ');
      const why = n.outcome === 'deployed' ? '' : ` — ${n.serving ?? n.reason ?? ''}`;
      return `${mark[n.outcome]} ${n.node.padEnd(12)} ${n.outcome.padEnd(11)} ${n.project.padEnd(14)} ${formatMs(n.ms).padStart(7)}  ${n.remote.commands} cmds/${n.remote.connections} conn  (${steps})${why}`;
    })
    .join('\n')}\n`;
}

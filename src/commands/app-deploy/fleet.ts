/**
 * `dynia app:deploy` to one node or many: a plan per node (each with its own health path, colour and previous
 * version), nodes that already run this file skipped unless --force, then the fleet run (fleet.ts) with the
 * release step between the barrier and the swaps.
 */
import type { ComposeFile } from '../../compose/parse.js';
import { releaseCommand } from '../../compose/release.js';
import { HealthError, InputError } from '../../errors.js';
import { runOneOff } from '../../node/app-ops-commands.js';
import { shellQuote } from '../../remote/quote.js';
import { tail } from '../../remote/remote.js';
import type { Deployment, NodeRecord } from '../../state/schema.js';
import { deployPhases, type AppDeployInput, type DeployPhases } from './workflow.js';
import type { DeployPlan } from './plan.js';
import { reconcileNode } from '../../deploy/deploy-reconcile.js';
import { appTarget } from '../../deploy/deploy-shared.js';
import { runFleet, type FleetNodeReport } from '../../deploy/fleet.js';
import type { WorkflowDeps } from '../../lib/ports.js';
import { serialTx } from '../../lib/serial-tx.js';
import type { Reporter, StepTiming } from '../../lib/steps.js';

export interface FleetPlan {
  app: string;
  /** Nodes to deploy to, in the order given. */
  plans: DeployPlan[];
  /** Nodes that already run this file (and --force was not given). */
  unchanged: DeployPlan[];
  /** The release step's argv (label dynia.release on the entry), if any. */
  release?: string[];
}

/** `planNode` is the single-node planner (planDeploy with the app's inputs bound). */
export function planFleet(input: {
  app: string;
  nodes: NodeRecord[];
  file: ComposeFile;
  planNode: (node: string) => DeployPlan;
}): FleetPlan {
  const all = input.nodes.map((node) => input.planNode(node.name));
  const custom = all.find((p) => p.entry.domain !== p.node.fqdn);
  if (all.length > 1 && custom) {
    // Each node's DNS step would point the name at itself: the last one would win and the others' checks fail.
    throw InputError(
      `${input.file.fileName}: label dynia.domain ${custom.entry.domain} names one host, and a deploy to ${all.length} nodes would point it at each in turn.`,
      'Deploy without dynia.domain (each node serves it on its FQDN) and put the public name on the load balancer: dynia slb:sync --route <name>/*',
    );
  }
  const release = releaseCommand(input.file, all[0]!.entry.service);
  return {
    app: input.app,
    plans: all.filter((p) => !p.unchanged),
    unchanged: all.filter((p) => p.unchanged),
    ...(release ? { release } : {}),
  };
}

export interface NodeDeployResult extends FleetNodeReport {
  deployment?: Deployment;
  project: string;
  timings: StepTiming[];
  remote: { connections: number; commands: number };
  appStartMs: number;
  uploadedBytes: number;
}

export interface FleetDeployResult {
  nodes: NodeDeployResult[];
  /** Where the release step ran and what it printed (its tail). */
  release?: { node: string; output: string };
}

/** Progress lines of each node say which node they are about (not needed, and left out, for one node). */
function nodeReporter(reporter: Reporter, node: string): Reporter {
  const p = (text: string) => `${node}: ${text}`;
  return {
    stepStart: (title) => reporter.stepStart(p(title)),
    stepDone: (title, ms, detail) => reporter.stepDone(p(title), ms, detail),
    stepSkipped: (title, reason) => reporter.stepSkipped(p(title), reason),
    info: (message) => reporter.info(p(message)),
    warn: (message) => reporter.warn(p(message)),
  };
}

/** Release steps may run migrations over big tables: far longer than a health check. */
const RELEASE_TIMEOUT_MS = 30 * 60_000;

export async function fleetDeploy(
  plan: FleetPlan,
  input: Omit<AppDeployInput, 'plan'> & { parallel: number },
  deps: WorkflowDeps,
): Promise<FleetDeployResult> {
  const tx = serialTx(deps.tx);
  const many = plan.plans.length > 1;
  const members = plan.plans.map((p) =>
    deployPhases({ ...input, plan: p }, { ...deps, tx, reporter: many ? nodeReporter(deps.reporter, p.node.name) : deps.reporter }),
  );
  let release: FleetDeployResult['release'];
  const runRelease =
    plan.release &&
    (async () => {
      const first = members[0]!;
      const argv = plan.release!;
      const title = `Release step \`${shellQuote(argv)}\` in a one-off ${first.input.plan.entry.service} container of ${first.input.plan.project} on ${first.node}`;
      deps.reporter.stepStart(title);
      const t0 = deps.clock.now();
      const result = await first.session!.exec(
        runOneOff(appTarget(first.input.plan.project), first.input.plan.entry.service, argv, false),
        { allowFailure: true, timeoutMs: RELEASE_TIMEOUT_MS },
      );
      const output = tail(`${result.stdout}${result.stderr}`, 40);
      if (result.code !== 0) {
        throw HealthError(
          `release command \`${shellQuote(argv)}\` exited with code ${result.code} on ${first.node}${output ? `:\n${output}` : ' (no output)'}`,
          'Fix the release command (label dynia.release) or the version; nothing was swapped.',
        );
      }
      release = { node: first.node, output };
      deps.reporter.stepDone(title, deps.clock.now() - t0, output ? `\n${output.replace(/^/gm, '    ')}` : undefined);
    });
  const collect = (reports: FleetNodeReport[]): NodeDeployResult[] =>
    reports.map((r, i) => {
      const m: DeployPhases = members[i]!;
      const deployment = tx.state.deployments.find(
        (d) => d.node === m.node && d.project === m.input.plan.project && d.status === 'active' && r.outcome === 'deployed',
      );
      return {
        ...r,
        project: m.input.plan.project,
        ...(deployment ? { deployment } : {}),
        timings: m.timings,
        remote: m.remote,
        appStartMs: m.appStartMs,
        uploadedBytes: m.uploadedBytes,
      };
    });
  try {
    const reports = await runFleet(members, {
      parallel: input.parallel,
      now: () => deps.clock.now(),
      ...(runRelease ? { release: runRelease } : {}),
    });
    return { nodes: collect(reports), ...(release ? { release } : {}) };
  } catch (error) {
    if (error && typeof error === 'object' && 'nodes' in error)
      Object.assign(error, { results: collect((error as { nodes: FleetNodeReport[] }).nodes) });
    throw error;
  }
}

/**
 * app:deploy's nodes that already run the file: each is still compared with state and repaired (one
 * connection, one read); one whose active version no longer runs gets a real deploy (`replan`, as --force).
 */
export async function reconcileUnchanged(
  plan: FleetPlan,
  deps: WorkflowDeps,
  replan: (node: string) => DeployPlan,
): Promise<FleetPlan & { repaired: number }> {
  const redeploy: DeployPlan[] = [];
  let repaired = 0;
  for (const p of plan.unchanged) {
    const found = await reconcileNode(p.node, p.app, 'app:deploy', deps);
    repaired += found.repairs.length;
    if (found.redeploy) {
      deps.reporter.warn(`${p.node.name}: ${found.redeploy}; deploying it again`);
      redeploy.push(replan(p.node.name));
    }
  }
  const again = new Set(redeploy.map((p) => p.node.name));
  return { ...plan, plans: [...plan.plans, ...redeploy], unchanged: plan.unchanged.filter((p) => !again.has(p.node.name)), repaired };
}

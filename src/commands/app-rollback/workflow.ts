/**
 * `dynia app:rollback`: the version before the running one takes its domain back, with the same care as a
 * deploy. Its project is still on the node, stopped (a deploy stops, never removes, the version it replaces).
 *
 * It is started joined to `edge` WITHOUT the domain's alias (a stopped container keeps its aliases, and with
 * it Caddy would send traffic to it before it is healthy), probed from inside `edge`, then given the alias;
 * once Caddy's upstream pool shows it dials it, the running version is retired. A failure after that switch undoes it.
 */
import { DyniaError, HealthError, InputError, reasonOf } from '../../errors.js';
import { composeLogs, composePsAll } from '../../node/compose-commands.js';
import { parseUploadedTree } from '../../node/app-sync.js';
import { retireProject, reviveProject } from '../../node/retire-commands.js';
import { reconcileApp } from '../../deploy/deploy-reconcile.js';
import { parseComposePs } from '../../node/compose-ps.js';
import { waitHealthyInNetwork } from '../../node/health-commands.js';
import { appFilesPath, composeContainerName } from '../../node/layout.js';
import { containerNetworks, parseNetworkNames } from '../../node/rollback-commands.js';
import { upstreamAlias } from '../../node/caddy/upstream-alias.js';
import { tail } from '../../remote/remote.js';
import type { Deployment, State } from '../../state/schema.js';
import { appendAudit, auditOutcome } from '../../lib/audit.js';
import { applyCaddyfile } from '../../deploy/caddy-config.js';
import { syncFqdnTarget } from '../../deploy/node-sites.js';
import { appTarget, caddyfileFor, moveAlias, writeNodeManifest } from '../../deploy/deploy-shared.js';
import { describeDrain, drainThenStop, swapTarget } from '../../deploy/drain.js';
import { checkAfterSwap, probeAhead } from '../../deploy/https-check.js';
import type { ProbeResult } from '../../health/probe.js';
import type { NodeSession, WorkflowDeps } from '../../lib/ports.js';
import type { RollbackPlan } from './plan.js';
import { runSteps, type Step, type StepTiming } from '../../lib/steps.js';

export interface AppRollbackInput {
  plan: RollbackPlan;
  timeoutMs: number;
}

export interface AppRollbackResult {
  deployment: Deployment;
  timings: StepTiming[];
  remote: { connections: number; commands: number };
}

interface Ctx {
  input: AppRollbackInput;
  deps: WorkflowDeps;
  session?: NodeSession;
  started: boolean;
  switched: boolean;
  /** The state before the switch, to undo it. */
  stateBefore?: State;
  /** The external check's first probe, sent once the rolled-back version's door shut. */
  earlyCheck?: Promise<ProbeResult | undefined>;
}

const entryOf = (d: Deployment) => composeContainerName(d.project, d.entryService);
const sameDeployment = (a: Deployment, b: Deployment) => a.node === b.node && a.project === b.project && a.createdAt === b.createdAt;
const healthUrl = (ctx: Ctx, d: Deployment) => `http://${entryOf(d)}:${d.entryPort}${ctx.input.plan.node.healthPath}`;

async function hasAlias(session: NodeSession, container: string, domain: string): Promise<boolean> {
  const result = await session.exec(containerNetworks(container), { allowFailure: true });
  return result.code === 0 && parseNetworkNames(result.stdout).includes(upstreamAlias(domain));
}

async function waitHealthy(ctx: Ctx, d: Deployment): Promise<{ ok: boolean; detail: string }> {
  const seconds = Math.ceil(ctx.input.timeoutMs / 1000);
  const result = await ctx.session!.exec(waitHealthyInNetwork(healthUrl(ctx, d), seconds), {
    allowFailure: true,
    timeoutMs: ctx.input.timeoutMs + 30_000,
  });
  return { ok: result.code === 0, detail: tail(result.stderr, 3) || 'no answer' };
}

/** The external check's URL: the domain the previous version serves again, at the node's health path. */
const checkUrl = (ctx: Ctx): string => `https://${ctx.input.plan.previous.domain}${ctx.input.plan.node.healthPath}`;

const steps: Step<Ctx>[] = [
  {
    name: 'preflight',
    title: (ctx) => `Check that ${ctx.input.plan.previous.project} is still on ${ctx.input.plan.node.name}`,
    async run(ctx) {
      const { plan } = ctx.input;
      const { previous } = plan;
      ctx.session = await ctx.deps.connect(plan.node, () => Promise.resolve());
      const session = ctx.session;
      const found = await reconcileApp(session, ctx.deps, plan.node, previous.app);
      // The project directory holds the files of the last deploy into it; a later (failed) deploy may have replaced them.
      const tree = parseUploadedTree(await session.readFile(appFilesPath(previous.project)));
      const containers =
        tree === null ? [] : parseComposePs((await session.exec(composePsAll(appTarget(previous.project)), { allowFailure: true })).stdout);
      const why =
        tree === null
          ? 'its files are gone'
          : tree.hash !== previous.composeHash
            ? 'its directory now holds another version (a later deploy into the same project)'
            : !containers.some((c) => c.name === entryOf(previous))
              ? `its container ${entryOf(previous)} is gone`
              : undefined;
      if (why) {
        throw InputError(
          `cannot roll back ${previous.app} on ${plan.node.name} to ${previous.project} (created ${previous.createdAt}): ${why}.`,
          'Deploy the version you want with dynia app:deploy; the running version was not touched.',
        );
      }
      const repaired = found.repairs.length ? `; repaired ${found.repairs.length}: ${found.repairs.map((r) => r.kind).join(', ')}` : '';
      return `${previous.project} (${previous.composeHash.slice(0, 12)}), ${containers.length} container(s), stopped${repaired}`;
    },
  },
  {
    name: 'start',
    title: (ctx) => `Start ${ctx.input.plan.previous.project} (joined to edge without the domain's alias)`,
    async run(ctx) {
      const { previous } = ctx.input.plan;
      const session = ctx.session!;
      ctx.started = true;
      const started = session.exec(reviveProject(appTarget(previous.project), entryOf(previous)), { timeoutMs: 300_000 });
      ctx.deps.preconnect(checkUrl(ctx)); // the external check's connection, opened while the old version starts
      await started;
    },
  },
  {
    name: 'internal-health',
    title: (ctx) => `Wait for ${healthUrl(ctx, ctx.input.plan.previous)} inside edge`,
    async run(ctx) {
      const { previous } = ctx.input.plan;
      const health = await waitHealthy(ctx, previous);
      if (!health.ok) {
        const logs = await ctx.session!.exec(composeLogs(appTarget(previous.project), previous.entryService, 30), { allowFailure: true });
        throw HealthError(
          `${healthUrl(ctx, previous)} did not answer 2xx/3xx within ${Math.round(ctx.input.timeoutMs / 1000)} s; last: ${health.detail}\n--- last log lines of ${previous.entryService} ---\n${tail(logs.stdout + logs.stderr, 30)}`,
          'The running version keeps serving; the old one was stopped again.',
        );
      }
    },
  },
  {
    name: 'switch',
    title: (ctx) => `Switch ${ctx.input.plan.current.domain} to ${ctx.input.plan.previous.project}`,
    async run(ctx) {
      const { plan } = ctx.input;
      const { current, previous } = plan;
      const session = ctx.session!;
      ctx.stateBefore = ctx.deps.tx.state;
      ctx.switched = true;
      await moveAlias(session, entryOf(previous), previous.domain);
      if (!(await hasAlias(session, entryOf(previous), previous.domain)))
        throw HealthError(`${entryOf(previous)} did not get the alias ${upstreamAlias(previous.domain)} on edge.`);
      const now = ctx.deps.clock.date().toISOString();
      const state = await ctx.deps.tx.commit((draft) => {
        for (const d of draft.deployments) {
          if (sameDeployment(d, current)) Object.assign(d, { status: 'rolled-back', updatedAt: now });
          if (sameDeployment(d, previous)) Object.assign(d, { status: 'active', updatedAt: now });
        }
        syncFqdnTarget(draft, plan.node.name);
      });
      const caddy = await applyCaddyfile(
        session,
        caddyfileFor(ctx.deps.settings, state, plan.node.name),
        caddyfileFor(ctx.deps.settings, ctx.stateBefore, plan.node.name),
      );
      const drained = await drainThenStop(
        session,
        swapTarget(entryOf(previous), previous.entryPort, current),
        current.project,
        ctx.deps.clock,
        () => {
          ctx.earlyCheck = probeAhead(checkUrl(ctx), ctx.deps);
        },
      );
      return `${caddy === 'reloaded' ? 'Caddy reloaded (the port differs)' : 'no Caddy reload'}; ${describeDrain(drained)}`;
    },
  },
  {
    name: 'external-health',
    title: (ctx) => `Check ${checkUrl(ctx)}`,
    run: (ctx) => checkAfterSwap(checkUrl(ctx), ctx.deps, ctx.input.timeoutMs, ctx.earlyCheck),
  },
  {
    name: 'finalize',
    title: 'Record the rollback in the node manifest',
    async run(ctx) {
      await writeNodeManifest(ctx.session!, ctx.deps.tx.state, ctx.input.plan.node.name, ctx.deps.clock.date());
    },
  },
];

/** After the switch: the version that ran before serves again, with its alias, state and Caddyfile as they were. */
async function undo(ctx: Ctx): Promise<void> {
  const { plan } = ctx.input;
  const { current, previous } = plan;
  const session = ctx.session!;
  const switchedState = ctx.deps.tx.state;
  // A retired version left edge: back without the alias, through the health gate, then the alias.
  await session.exec(reviveProject(appTarget(current.project), entryOf(current)), { timeoutMs: 300_000 });
  await waitHealthy(ctx, current);
  await moveAlias(session, entryOf(current), current.domain);
  const before = ctx.stateBefore!;
  const restored = await ctx.deps.tx.commit((draft) => {
    for (const d of draft.deployments) {
      const old = before.deployments.find((x) => sameDeployment(x, d));
      if (old && (sameDeployment(d, current) || sameDeployment(d, previous))) Object.assign(d, old);
    }
    const node = draft.nodes.find((n) => n.name === plan.node.name)!;
    node.caddy = before.nodes.find((n) => n.name === plan.node.name)!.caddy;
  });
  await applyCaddyfile(
    session,
    caddyfileFor(ctx.deps.settings, restored, plan.node.name),
    caddyfileFor(ctx.deps.settings, switchedState, plan.node.name),
  );
  // Best effort: if Caddy never shows the switch back, both versions keep serving (safe) and the warning says so.
  await drainThenStop(session, swapTarget(entryOf(current), current.entryPort, previous), previous.project, ctx.deps.clock).catch(
    (error: Error) => ctx.deps.reporter.warn(error.message),
  );
  await writeNodeManifest(session, restored, plan.node.name, ctx.deps.clock.date());
}

export async function appRollback(input: AppRollbackInput, deps: WorkflowDeps): Promise<AppRollbackResult> {
  const ctx: Ctx = { input, deps, started: false, switched: false };
  const { plan } = input;
  let failure: unknown;
  try {
    const timings = await runSteps(steps, ctx, deps.reporter);
    const deployment = deps.tx.state.deployments.find((d) => sameDeployment(d, plan.previous))!;
    return { deployment, timings, remote: { ...ctx.session!.stats } };
  } catch (error) {
    failure = error;
    if (!ctx.session || !ctx.started) throw error;
    if (!ctx.switched) {
      await ctx.session.exec(retireProject(appTarget(plan.previous.project)), { allowFailure: true });
      throw error;
    }
    deps.reporter.warn(`rollback failed after the switch: ${reasonOf(error)}; undoing it`);
    await undo(ctx);
    throw new DyniaError(
      'health',
      `${(error as Error).message}\nUndone: ${plan.current.domain} is served by ${plan.current.project} again.`,
      (error as DyniaError).hint,
    );
  } finally {
    const args = {
      node: plan.node.name,
      app: plan.current.app,
      domain: plan.current.domain,
      from: plan.current.project,
      to: plan.previous.project,
    };
    await appendAudit(ctx.session, deps, { command: 'app:rollback', args, ...auditOutcome(failure) });
    await ctx.session?.close();
  }
}

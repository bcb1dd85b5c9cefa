/**
 * `dynia app:deploy`: a health-gated blue/green swap behind Caddy.
 *
 * Each deploy is its own compose project (`<app>-blue` / `<app>-green`). The new version starts beside the
 * running one, is probed from inside `edge`, then takes over the domain's stable network alias, which Caddy
 * re-resolves every 200 ms: no Caddy reload, so no dropped keep-alive requests. Only then is the old version
 * stopped (kept, not removed, so a rollback can start it again). Any failure after the swap rolls back.
 */
import { waitForPropagation } from '../dns/propagation.js';
import { DyniaError, HealthError, InputError } from '../errors.js';
import { composeConfigQuiet, composeDown, composeLogs, composeStart, composeStop, composeUpPulling } from '../node/compose-commands.js';
import { waitHealthyInNetwork } from '../node/health-commands.js';
import { networkInspect } from '../node/docker-commands.js';
import { niced } from '../node/niced.js';
import { appComposePath, appDir, appOverridePath, composeContainerName } from '../node/layout.js';
import { tail } from '../remote/remote.js';
import type { Deployment, State } from '../state/schema.js';
import type { DeployPlan } from './app-plan.js';
import { appendAudit, auditOutcome } from './audit.js';
import { applyCaddyfile } from './caddy-config.js';
import { appTarget as target, caddyfileFor as caddyfileForNode, moveAlias, reasonOf, writeNodeManifest } from './deploy-shared.js';
import { describeDrain, drainThenStop, swapTarget, type Drained } from './drain.js';
import { pollHttps } from './https-check.js';
import type { NodeSession, WorkflowDeps } from './ports.js';
import { syncFqdnTarget } from './node-sites.js';
import { runSteps, type Step, type StepTiming } from './steps.js';

/** Deployment records kept per app and node (the active one is always kept). */
const HISTORY = 10;

export interface AppDeployInput {
  plan: DeployPlan;
  composeText: string;
  timeoutMs: number;
}

export interface AppDeployResult {
  deployment: Deployment;
  timings: StepTiming[];
  remote: { connections: number; commands: number };
  /** Time the app itself took from `up` to healthy (the part of the deploy that is not Dynia's). */
  appStartMs: number;
}

interface Ctx {
  input: AppDeployInput;
  deps: WorkflowDeps;
  session?: NodeSession;
  /** The Caddyfile the node runs, as rendered from state (known without reading it back). */
  caddyfileLive?: string;
  swapped: boolean;
  appStartMs: number;
  /** The previous version's drain and stop, started by the swap. */
  stopping?: Promise<Drained>;
}

const healthPath = (ctx: Ctx) => ctx.input.plan.node.healthPath;
const caddyfileFor = (ctx: Ctx, state: State) => caddyfileForNode(ctx.deps.settings, state, ctx.input.plan.node.name);

const steps: Step<Ctx>[] = [
  {
    name: 'preflight',
    title: (ctx) => `Check the compose file on ${ctx.input.plan.node.name} (network edge, docker compose config)`,
    async run(ctx) {
      const { plan } = ctx.input;
      ctx.session = await ctx.deps.connect(plan.node, () => Promise.resolve());
      const session = ctx.session;
      // The uploads go to the new colour's directory, which nothing runs from yet; the check runs beside them.
      const [edge] = await Promise.all([
        session.exec(networkInspect(), { allowFailure: true }),
        session.upload(appComposePath(plan.project), ctx.input.composeText),
        session.upload(appOverridePath(plan.project), plan.override.yaml),
      ]);
      if (edge.code !== 0) {
        await session.exec(['rm', '-rf', appDir(plan.project)]);
        throw InputError(
          `network edge does not exist on ${plan.node.name}: something outside Dynia removed it, and Caddy cannot reach any app without it.`,
          `Re-create it (ssh root@${plan.node.ip} docker network create edge), restart Caddy and the placeholder on it (docker start dynia-caddy dynia-placeholder), then deploy again.`,
        );
      }
      const config = await session.exec(composeConfigQuiet(target(plan.project)), { allowFailure: true });
      if (config.code !== 0) {
        await session.exec(['rm', '-rf', appDir(plan.project)]);
        throw InputError(`docker compose on ${plan.node.name} refuses the file:\n${tail(config.stderr)}`, 'Fix the compose file; nothing was started.');
      }
      return `${plan.entry.service}:${plan.entry.port} → ${plan.entry.domain}, project ${plan.project}`;
    },
  },
  {
    name: 'start',
    title: (ctx) => `Pull and start ${ctx.input.plan.project}`,
    async run(ctx) {
      const t0 = performance.now();
      await ctx.session!.exec(niced(composeUpPulling(target(ctx.input.plan.project))), { timeoutMs: 600_000 });
      ctx.appStartMs = performance.now() - t0;
    },
  },
  {
    name: 'internal-health',
    title: (ctx) => `Wait for http://${entryContainer(ctx)}:${ctx.input.plan.entry.port}${healthPath(ctx)} inside edge`,
    async run(ctx) {
      const { plan } = ctx.input;
      const url = `http://${entryContainer(ctx)}:${plan.entry.port}${healthPath(ctx)}`;
      const t0 = performance.now();
      const result = await ctx.session!.exec(waitHealthyInNetwork(url, Math.ceil(ctx.input.timeoutMs / 1000)), { allowFailure: true, timeoutMs: ctx.input.timeoutMs + 30_000 });
      ctx.appStartMs += performance.now() - t0;
      if (result.code !== 0) {
        const logs = await ctx.session!.exec(composeLogs(target(plan.project), plan.entry.service, 30), { allowFailure: true });
        throw HealthError(
          `${url} did not answer 2xx/3xx within ${Math.round(ctx.input.timeoutMs / 1000)} s; last: ${tail(result.stderr, 3) || 'no answer'}\n--- last log lines of ${plan.entry.service} ---\n${tail(logs.stdout + logs.stderr, 30)}`,
          `The running version keeps serving. Check that ${plan.entry.service} listens on port ${plan.entry.port} and answers ${healthPath(ctx)} (label dynia.port, --health-path of the node).`,
        );
      }
    },
  },
  {
    name: 'dns',
    title: (ctx) => `Point ${ctx.input.plan.entry.domain} at ${ctx.input.plan.node.name}`,
    skip: (ctx) => (ctx.input.plan.entry.domain === ctx.input.plan.node.fqdn ? 'node FQDN, already set' : undefined),
    async run(ctx) {
      const { plan } = ctx.input;
      const { settings } = ctx.deps;
      if (!plan.entry.domain.endsWith(`.${settings.domain}`)) {
        ctx.deps.reporter.warn(`${plan.entry.domain} is outside ${settings.domain}: point its A record at ${plan.node.ip} yourself`);
        return 'not in the zone';
      }
      await ctx.deps.cloudflare.upsertARecord(settings.zoneId, { name: plan.entry.domain, ip: plan.node.ip, ttl: 60, proxied: false });
      await waitForPropagation({ name: plan.entry.domain, expectedIp: plan.node.ip, resolvers: settings.resolvers, timeoutMs: 120_000 });
    },
  },
  {
    name: 'swap',
    title: (ctx) => `Swap ${ctx.input.plan.entry.domain} to ${ctx.input.plan.project}`,
    async run(ctx) {
      const { plan } = ctx.input;
      const session = ctx.session!;
      ctx.caddyfileLive = caddyfileFor(ctx, ctx.deps.tx.state);
      ctx.swapped = true;
      await moveAlias(session, entryContainer(ctx), plan.entry.domain);
      const now = new Date().toISOString();
      const state = await ctx.deps.tx.commit((draft) => {
        for (const d of draft.deployments) if (d.node === plan.node.name && d.app === plan.app && d.status === 'active') Object.assign(d, { status: 'superseded', updatedAt: now });
        draft.deployments.push({
          node: plan.node.name, app: plan.app, project: plan.project, composeHash: plan.hash, entryService: plan.entry.service,
          entryPort: plan.entry.port, domain: plan.entry.domain, status: 'active', createdAt: now, updatedAt: now,
        });
        syncFqdnTarget(draft, plan.node.name);
      });
      const caddyfile = caddyfileFor(ctx, state);
      const caddy = await applyCaddyfile(session, caddyfile, ctx.caddyfileLive);
      ctx.caddyfileLive = caddyfile;
      if (plan.previous) {
        // Both versions answer under the alias now; the old one stops once Caddy shows it dials the new one.
        // Nothing else waits for that: the external check runs meanwhile, finalize collects the outcome.
        ctx.stopping = drainThenStop(session, swapTarget(entryContainer(ctx), plan.entry.port, plan.previous), composeStop(target(plan.previous.project)));
        ctx.stopping.catch(() => undefined);
      }
      return caddy === 'reloaded' ? 'Caddy reloaded (new site or port)' : 'no Caddy reload';
    },
  },
  {
    name: 'external-health',
    title: (ctx) => `Check https://${ctx.input.plan.entry.domain}${healthPath(ctx)}`,
    async run(ctx) {
      const result = await pollHttps(`https://${ctx.input.plan.entry.domain}${healthPath(ctx)}`, ctx.deps, ctx.input.timeoutMs);
      return `HTTP ${result.status}`;
    },
  },
  {
    name: 'finalize',
    title: 'Record the deployment (state and node manifest)',
    async run(ctx) {
      const { plan } = ctx.input;
      const record = async () => writeManifest(ctx, await ctx.deps.tx.commit((draft) => pruneHistory(draft, plan.node.name, plan.app)));
      // The old version may still be stopping: record meanwhile; a failed stop still fails (and rolls back) the deploy.
      const [drained] = await Promise.all([ctx.stopping, record()]);
      return drained && describeDrain(drained);
    },
  },
];

const entryContainer = (ctx: Ctx) => composeContainerName(ctx.input.plan.project, ctx.input.plan.entry.service);

const writeManifest = (ctx: Ctx, state: State): Promise<void> => writeNodeManifest(ctx.session!, state, ctx.input.plan.node.name);

function pruneHistory(state: State, node: string, app: string): void {
  const mine = state.deployments.filter((d) => d.node === node && d.app === app && d.status !== 'active');
  const drop = new Set(mine.slice(0, Math.max(0, mine.length - HISTORY)));
  state.deployments = state.deployments.filter((d) => !drop.has(d));
}

/** Before the swap: remove the new project, record why, routing untouched. */
async function abandon(ctx: Ctx, error: unknown): Promise<void> {
  const { plan } = ctx.input;
  await ctx.session?.exec(composeDown(target(plan.project)), { allowFailure: true });
  await recordFailed(ctx, error);
}

async function recordFailed(ctx: Ctx, error: unknown): Promise<State> {
  const { plan } = ctx.input;
  const now = new Date().toISOString();
  return ctx.deps.tx.commit((draft) => {
    const mine = draft.deployments.find((d) => d.node === plan.node.name && d.project === plan.project && d.status === 'active' && d.composeHash === plan.hash);
    const failed = { status: 'failed' as const, reason: reasonOf(error), updatedAt: now };
    if (mine) Object.assign(mine, failed);
    else draft.deployments.push({ node: plan.node.name, app: plan.app, project: plan.project, composeHash: plan.hash, entryService: plan.entry.service, entryPort: plan.entry.port, domain: plan.entry.domain, createdAt: now, ...failed });
    pruneHistory(draft, plan.node.name, plan.app);
  });
}

/** After the swap: back to the previous version if it can run, else the placeholder; then remove the new one. */
async function rollBack(ctx: Ctx, error: unknown): Promise<string> {
  const { plan } = ctx.input;
  const session = ctx.session!;
  await ctx.stopping?.catch(() => undefined);
  await recordFailed(ctx, error);
  let restored: Deployment | undefined;
  if (plan.previous && (await session.exec(composeStart(target(plan.previous.project)), { allowFailure: true })).code === 0) {
    restored = plan.previous;
  }
  const state = await ctx.deps.tx.commit((draft) => {
    const previous = restored && draft.deployments.find((d) => d.node === plan.node.name && d.project === restored.project && d.createdAt === restored.createdAt);
    if (previous) Object.assign(previous, { status: 'active', updatedAt: new Date().toISOString() });
    syncFqdnTarget(draft, plan.node.name);
  });
  await applyCaddyfile(session, caddyfileFor(ctx, state), ctx.caddyfileLive);
  await session.exec(composeDown(target(plan.project)), { allowFailure: true });
  await writeManifest(ctx, state);
  if (restored) return `the previous version ${restored.project} serves ${restored.domain} again`;
  return plan.entry.domain === plan.node.fqdn ? `${plan.entry.domain} is served by the placeholder` : `${plan.entry.domain} is no longer routed`;
}

export async function appDeploy(input: AppDeployInput, deps: WorkflowDeps): Promise<AppDeployResult> {
  const ctx: Ctx = { input, deps, swapped: false, appStartMs: 0 };
  let failure: unknown;
  try {
    const timings = await runSteps(steps, ctx, deps.reporter);
    const deployment = deps.tx.state.deployments.find((d) => d.node === input.plan.node.name && d.project === input.plan.project && d.status === 'active')!;
    return { deployment, timings, remote: { ...ctx.session!.stats }, appStartMs: ctx.appStartMs };
  } catch (error) {
    failure = error;
    if (!ctx.session || (error instanceof DyniaError && error.kind === 'input' && !ctx.swapped)) throw error;
    if (!ctx.swapped) {
      await abandon(ctx, error);
      throw error;
    }
    deps.reporter.warn(`deploy failed after the swap: ${reasonOf(error)}; rolling back`);
    const to = await rollBack(ctx, error);
    throw new DyniaError('health', `${(error as Error).message}\nRolled back: ${to}.`, (error as DyniaError).hint);
  } finally {
    const { plan } = input;
    const args = { node: plan.node.name, app: plan.app, project: plan.project, domain: plan.entry.domain, composeHash: plan.hash.slice(0, 12) };
    await appendAudit(ctx.session, deps.reporter, { command: 'app:deploy', args, ...auditOutcome(failure) });
    await ctx.session?.close();
  }
}

/**
 * `dynia app:deploy`: a health-gated blue/green swap behind Caddy.
 *
 * The app's stateless services of each deploy are their own compose project (`<app>-blue` / `<app>-green`); its
 * data services run once in `<app>-data`, updated in place (see app-upload.ts). The new version starts beside the
 * running one, is probed from inside `edge`, then takes over the domain's stable network alias, which Caddy
 * re-resolves every 200 ms: no Caddy reload, so no dropped keep-alive requests. Only then is the old version
 * retired (restart policy `no`, stopped, kept so a rollback can start it again). Any failure after the swap rolls back.
 */
import { DyniaError, HealthError, reasonOf } from '../errors.js';
import { composeDown, composeLogs } from '../node/compose-commands.js';
import { waitHealthyInNetwork } from '../node/health-commands.js';
import { appFilesPath, composeContainerName } from '../node/layout.js';
import { joinEdgeWithoutAlias, retireProject, reviveProject, waitDockerHealthy } from '../node/retire-commands.js';
import { chain } from '../node/app-sync.js';
import { niced } from '../node/niced.js';
import { startCommand, syncApp } from './app-upload.js';
import { tail } from '../remote/remote.js';
import type { Deployment, State } from '../state/schema.js';
import type { DeployPlan } from './app-plan.js';
import { appendAudit, auditOutcome } from './audit.js';
import { reconcileApp } from './deploy-reconcile.js';
import { applyCaddyfile } from './caddy-config.js';
import { appTarget as target, caddyfileFor as caddyfileForNode, moveAlias, writeNodeManifest } from './deploy-shared.js';
import { describeDrain, drainThenStop, swapTarget } from './drain.js';
import { pollHttps } from './https-check.js';
import type { NodeSession, WorkflowDeps } from './ports.js';
import { syncFqdnTarget } from './node-sites.js';
import type { FleetMember } from './fleet.js';
import { runSteps, type Step, type StepTiming } from './steps.js';

/** Deployment records kept per app and node (the active one is always kept). */
const HISTORY = 10;

export interface AppDeployInput {
  plan: DeployPlan;
  composeText: string;
  /** The variables compose interpolates with (the app's `.env` or `--env-file`s), as bytes. */
  interpolationEnv: string;
  /** Reads a file of the app directory (only the ones in `plan.files`). */
  readAppFile(path: string): Buffer;
  /** Whether the entry has a compose healthcheck (then Docker's `healthy` is waited for too). */
  entryHealthcheck: boolean;
  timeoutMs: number;
}

export interface AppDeployResult {
  deployment: Deployment;
  timings: StepTiming[];
  remote: { connections: number; commands: number };
  /** Time the app itself took from `up` to healthy (the part of the deploy that is not Dynia's). */
  appStartMs: number;
  /** Bytes sent to the node for the app's files (the tar of changed files and Dynia's own). */
  uploadedBytes: number;
}

interface Ctx {
  input: AppDeployInput;
  deps: WorkflowDeps;
  session?: NodeSession;
  /** The Caddyfile the node runs, as rendered from state (known without reading it back). */
  caddyfileLive?: string;
  swapped: boolean;
  /** The running version's upload record, read by the reconcile step's one command (the upload's base). */
  base?: string | null;
  appStartMs: number;
  uploadedBytes: number;
}

const healthPath = (ctx: Ctx) => ctx.input.plan.node.healthPath;
const caddyfileFor = (ctx: Ctx, state: State) => caddyfileForNode(ctx.deps.settings, state, ctx.input.plan.node.name);

const steps: Step<Ctx>[] = [
  {
    name: 'reconcile',
    title: (ctx) => `Compare ${ctx.input.plan.node.name} with state (${ctx.input.plan.app}'s containers and alias, Caddyfile, manifest)`,
    async run(ctx) {
      const { plan } = ctx.input;
      ctx.session = await ctx.deps.connect(plan.node, () => Promise.resolve());
      const alsoRead = plan.previous ? appFilesPath(plan.previous.project) : '';
      const found = await reconcileApp(ctx.session, ctx.deps, plan.node, plan.app, { replacing: plan.project, alsoRead });
      ctx.base = found.file;
      return found.repairs.length
        ? `repaired ${found.repairs.length}: ${found.repairs.map((r) => r.kind).join(', ')}`
        : 'the node matches state';
    },
  },
  {
    name: 'preflight',
    title: (ctx) => `Upload the app and check it on ${ctx.input.plan.node.name} (docker compose config)`,
    async run(ctx) {
      const { plan } = ctx.input;
      const sent = await syncApp(ctx.session!, ctx.input, ctx.base);
      ctx.uploadedBytes = sent.bytes;
      return `${sent.files} changed file(s), ${sent.bytes} bytes; ${plan.entry.service}:${plan.entry.port} → ${plan.entry.domain}, project ${plan.project}`;
    },
  },
  {
    name: 'start',
    title: (ctx) =>
      `Build and start ${ctx.input.plan.project}${ctx.input.plan.data.length ? ` (data services in ${ctx.input.plan.dataProject})` : ''}`,
    async run(ctx) {
      const t0 = ctx.deps.clock.now();
      await ctx.session!.exec(niced(startCommand(ctx.input.plan)), { timeoutMs: 600_000 });
      ctx.appStartMs = ctx.deps.clock.now() - t0;
      const said = (change: string, what: string) => {
        const services = ctx.input.plan.data.filter((d) => d.change === change).map((d) => d.service);
        return services.length ? [`${what}: ${services.join(', ')}`] : [];
      };
      return (
        [
          ...said('changed', 'data recreated in place'),
          ...said('new', 'data started'),
          ...said('unchanged', 'data left running untouched'),
        ].join('; ') || undefined
      );
    },
  },
  {
    name: 'internal-health',
    title: (ctx) => `Wait for http://${entryContainer(ctx)}:${ctx.input.plan.entry.port}${healthPath(ctx)} inside edge`,
    async run(ctx) {
      const { plan } = ctx.input;
      const url = `http://${entryContainer(ctx)}:${plan.entry.port}${healthPath(ctx)}`;
      const t0 = ctx.deps.clock.now();
      const seconds = Math.ceil(ctx.input.timeoutMs / 1000);
      const probe = waitHealthyInNetwork(url, seconds);
      const command = ctx.input.entryHealthcheck ? chain(waitDockerHealthy(entryContainer(ctx), seconds), probe) : probe;
      const result = await ctx.session!.exec(command, { allowFailure: true, timeoutMs: ctx.input.timeoutMs + 30_000 });
      ctx.appStartMs += ctx.deps.clock.now() - t0;
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
      const { settings, dns } = ctx.deps;
      if (!plan.entry.domain.endsWith(`.${settings.domain}`)) {
        ctx.deps.reporter.warn(`${plan.entry.domain} is outside ${settings.domain}: point its A record at ${plan.node.ip} yourself`);
        return 'not in the zone';
      }
      await ctx.deps.cloudflare.upsertARecord(settings.zoneId, { name: plan.entry.domain, ip: plan.node.ip, ttl: 60, proxied: false });
      await dns.waitForPropagation({
        name: plan.entry.domain,
        expectedIp: plan.node.ip,
        resolvers: settings.resolvers,
        timeoutMs: 120_000,
      });
    },
  },
  {
    name: 'swap',
    title: (ctx) => `Swap ${ctx.input.plan.entry.domain} to ${ctx.input.plan.project}`,
    run: (ctx) => swapTraffic(ctx),
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
      const state = await ctx.deps.tx.commit((draft) => pruneHistory(draft, plan.node.name, plan.app));
      await writeManifest(ctx, state);
    },
  },
];

/**
 * The swap, one step: the new entry takes the domain's alias (Caddy re-resolves it every 200 ms, so no reload),
 * the deployment is recorded, the Caddyfile follows when a domain or port is new, and after Caddy has seen the
 * new version (its upstream pool, see drain.ts) the old one is retired (restart policy `no`, stopped, kept for a rollback).
 */
async function swapTraffic(ctx: Ctx): Promise<string> {
  const { plan } = ctx.input;
  const session = ctx.session!;
  ctx.caddyfileLive = caddyfileFor(ctx, ctx.deps.tx.state);
  ctx.swapped = true;
  await moveAlias(session, entryContainer(ctx), plan.entry.domain);
  const now = ctx.deps.clock.date().toISOString();
  const state = await ctx.deps.tx.commit((draft) => {
    for (const d of draft.deployments)
      if (d.node === plan.node.name && d.app === plan.app && d.status === 'active')
        Object.assign(d, { status: 'superseded', updatedAt: now });
    draft.deployments.push({ ...record(plan), status: 'active', createdAt: now, updatedAt: now });
    syncFqdnTarget(draft, plan.node.name);
  });
  const caddyfile = caddyfileFor(ctx, state);
  const caddy = await applyCaddyfile(session, caddyfile, ctx.caddyfileLive);
  ctx.caddyfileLive = caddyfile;
  const said = caddy === 'reloaded' ? 'Caddy reloaded (new site or port)' : 'no Caddy reload';
  if (!plan.previous) return said;
  // Both versions answer under the alias now; the old one is retired once Caddy shows it dials the new one.
  const drained = await drainThenStop(
    session,
    swapTarget(entryContainer(ctx), plan.entry.port, plan.previous),
    retireProject(target(plan.previous.project)),
  );
  return `${said}; ${describeDrain(drained)}`;
}

const record = (plan: DeployPlan) => ({
  node: plan.node.name,
  app: plan.app,
  project: plan.project,
  composeHash: plan.hash,
  entryService: plan.entry.service,
  entryPort: plan.entry.port,
  domain: plan.entry.domain,
  dataHashes: plan.dataHashes,
});

const entryContainer = (ctx: Ctx) => composeContainerName(ctx.input.plan.project, ctx.input.plan.entry.service);

const writeManifest = (ctx: Ctx, state: State): Promise<void> =>
  writeNodeManifest(ctx.session!, state, ctx.input.plan.node.name, ctx.deps.clock.date());

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
  const now = ctx.deps.clock.date().toISOString();
  return ctx.deps.tx.commit((draft) => {
    const mine = draft.deployments.find(
      (d) => d.node === plan.node.name && d.project === plan.project && d.status === 'active' && d.composeHash === plan.hash,
    );
    const failed = { status: 'failed' as const, reason: reasonOf(error), updatedAt: now };
    if (mine) Object.assign(mine, failed);
    else draft.deployments.push({ ...record(plan), createdAt: now, ...failed });
    pruneHistory(draft, plan.node.name, plan.app);
  });
}

/** After the swap: back to the previous version if it can run, else the placeholder; then remove the new one. */
async function rollBack(ctx: Ctx, error: unknown): Promise<string> {
  const { plan } = ctx.input;
  const session = ctx.session!;
  await recordFailed(ctx, error);
  let restored: Deployment | undefined;
  if (plan.previous && (await revive(ctx, plan.previous))) restored = plan.previous;
  const state = await ctx.deps.tx.commit((draft) => {
    const previous =
      restored &&
      draft.deployments.find((d) => d.node === plan.node.name && d.project === restored.project && d.createdAt === restored.createdAt);
    if (previous) Object.assign(previous, { status: 'active', updatedAt: ctx.deps.clock.date().toISOString() });
    syncFqdnTarget(draft, plan.node.name);
  });
  await applyCaddyfile(session, caddyfileFor(ctx, state), ctx.caddyfileLive);
  await session.exec(composeDown(target(plan.project)), { allowFailure: true });
  await writeManifest(ctx, state);
  if (restored) return `the previous version ${restored.project} serves ${restored.domain} again`;
  return plan.entry.domain === plan.node.fqdn
    ? `${plan.entry.domain} is served by the placeholder`
    : `${plan.entry.domain} is no longer routed`;
}

/** The previous version back: on `edge` without the alias, started, through the health gate, then given the alias. */
async function revive(ctx: Ctx, previous: Deployment): Promise<boolean> {
  const session = ctx.session!;
  const entry = composeContainerName(previous.project, previous.entryService);
  const started = await session.exec(chain(joinEdgeWithoutAlias(entry), reviveProject(target(previous.project))), { allowFailure: true });
  if (started.code !== 0) return false;
  const seconds = Math.ceil(ctx.input.timeoutMs / 1000);
  const healthy = await session.exec(waitHealthyInNetwork(`http://${entry}:${previous.entryPort}${healthPath(ctx)}`, seconds), {
    allowFailure: true,
    timeoutMs: ctx.input.timeoutMs + 30_000,
  });
  if (healthy.code !== 0) {
    await session.exec(retireProject(target(previous.project)), { allowFailure: true });
    return false;
  }
  await moveAlias(session, entry, previous.domain);
  return true;
}

export async function appDeploy(input: AppDeployInput, deps: WorkflowDeps): Promise<AppDeployResult> {
  const ctx: Ctx = { input, deps, swapped: false, appStartMs: 0, uploadedBytes: 0 };
  let failure: unknown;
  try {
    const timings = await runSteps(steps, ctx, deps.reporter);
    const deployment = deps.tx.state.deployments.find(
      (d) => d.node === input.plan.node.name && d.project === input.plan.project && d.status === 'active',
    )!;
    return { deployment, timings, remote: { ...ctx.session!.stats }, appStartMs: ctx.appStartMs, uploadedBytes: ctx.uploadedBytes };
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
    const args = {
      node: plan.node.name,
      app: plan.app,
      project: plan.project,
      domain: plan.entry.domain,
      composeHash: plan.hash.slice(0, 12),
    };
    await appendAudit(ctx.session, deps, { command: 'app:deploy', args, ...auditOutcome(failure) });
    await ctx.session?.close();
  }
}

/** One node's deploy cut at the fleet's barriers (see fleet.ts): the steps above, in the same order. */
export interface DeployPhases extends FleetMember {
  readonly input: AppDeployInput;
  readonly session: NodeSession | undefined;
  readonly timings: StepTiming[];
  readonly appStartMs: number;
  readonly uploadedBytes: number;
  /** Remote commands and connections of the deploy itself (the audit line left out, as appDeploy reports). */
  readonly remote: { connections: number; commands: number };
}

export function deployPhases(input: AppDeployInput, deps: WorkflowDeps): DeployPhases {
  const ctx: Ctx = { input, deps, swapped: false, appStartMs: 0, uploadedBytes: 0 };
  const timings: StepTiming[] = [];
  let remote: { connections: number; commands: number } | undefined;
  const part = async (from: string, to: string) => {
    timings.push(
      ...(await runSteps(
        steps.slice(
          steps.findIndex((s) => s.name === from),
          steps.findIndex((s) => s.name === to) + 1,
        ),
        ctx,
        deps.reporter,
      )),
    );
  };
  return {
    node: input.plan.node.name,
    input,
    timings,
    get session() {
      return ctx.session;
    },
    get swapped() {
      return ctx.swapped;
    },
    get appStartMs() {
      return ctx.appStartMs;
    },
    get uploadedBytes() {
      return ctx.uploadedBytes;
    },
    get remote() {
      return remote ?? { ...(ctx.session?.stats ?? { connections: 0, commands: 0 }) };
    },
    async prepare() {
      try {
        await part('reconcile', 'dns');
      } catch (error) {
        if (ctx.session && !(error instanceof DyniaError && error.kind === 'input')) await abandon(ctx, error);
        throw error;
      }
    },
    swap: () => part('swap', 'external-health'),
    finish: () => part('finalize', 'finalize'),
    discard: (reason) => abandon(ctx, reason),
    rollback: (reason) => rollBack(ctx, reason),
    async close(failure) {
      const { plan } = input;
      const args = {
        node: plan.node.name,
        app: plan.app,
        project: plan.project,
        domain: plan.entry.domain,
        composeHash: plan.hash.slice(0, 12),
      };
      if (ctx.session) remote = { ...ctx.session.stats };
      await appendAudit(ctx.session, deps, { command: 'app:deploy', args, ...auditOutcome(failure) });
      await ctx.session?.close();
    },
  };
}

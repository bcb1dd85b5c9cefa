/**
 * `dynia app:deploy`: a health-gated blue/green swap behind Caddy.
 *
 * The app's stateless services of each deploy are their own compose project (`<app>-blue` / `<app>-green`); its
 * data services run once in `<app>-data`, updated in place (see upload.ts). The new version starts beside the
 * running one, is probed from inside `edge`, then takes over the domain's stable network alias, which Caddy
 * re-resolves every 200 ms: no Caddy reload, so no dropped keep-alive requests. Only then is the old version
 * retired (restart policy `no`, stopped, kept so a rollback can start it again). Any failure after the swap rolls back.
 * The steps are here; the swap is in swap.ts, the way back from a failure in undo.ts.
 */
import { DyniaError, HealthError, reasonOf } from '../../errors.js';
import { composeLogs } from '../../node/compose-commands.js';
import { waitHealthyInNetwork } from '../../node/health-commands.js';
import { appFilesPath } from '../../node/layout.js';
import { waitDockerHealthy } from '../../node/retire-commands.js';
import { chain } from '../../node/app-sync.js';
import { niced } from '../../node/niced.js';
import { startCommand, syncApp } from './upload.js';
import { failedJob, startFailed } from './start-failure.js';
import { tail } from '../../remote/remote.js';
import { appendAudit, auditOutcome } from '../../lib/audit.js';
import { reconcileApp } from '../../deploy/deploy-reconcile.js';
import {
  auditArgs,
  entryContainer,
  externalUrl,
  healthPath,
  newCtx,
  type AppDeployInput,
  type AppDeployResult,
  type Ctx,
  type Sent,
} from './context.js';
import { appTarget as target } from '../../deploy/deploy-shared.js';
import { swapTraffic } from './swap.js';
import { abandon, rollBack } from './undo.js';
import { checkAfterSwap } from '../../deploy/https-check.js';
import type { NodeSession, WorkflowDeps } from '../../lib/ports.js';
import type { FleetMember } from '../../deploy/fleet.js';
import { runSteps, type Step, type StepTiming } from '../../lib/steps.js';

export type { AppDeployInput, AppDeployResult } from './context.js';

const steps: Step<Ctx>[] = [
  {
    name: 'reconcile',
    title: (ctx) => `Compare ${ctx.input.plan.node.name} with state (${ctx.input.plan.app}'s containers and alias, Caddyfile, manifest)`,
    async run(ctx) {
      const { plan } = ctx.input;
      const recorded = plan.previous ? ctx.deps.uploads.read(plan.node.name, plan.previous.project) : Promise.resolve(null);
      ctx.session = await ctx.deps.connect(plan.node, () => Promise.resolve());
      ctx.earlyUpload = startEarlyUpload(ctx, await recorded);
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
      const early = ctx.earlyUpload ? await ctx.earlyUpload : 'stale';
      const sent = early !== 'stale' ? early : await syncApp(ctx.session!, ctx.input, { text: ctx.base ?? null });
      ctx.uploadedBytes = sent.bytes;
      await ctx.deps.uploads.write(plan.node.name, plan.project, sent.record);
      return `${sent.files} changed file(s), ${sent.bytes} bytes${early !== 'stale' ? ' (sent beside the reconcile)' : ''}; ${plan.entry.service}:${plan.entry.port} → ${plan.entry.domain}, project ${plan.project}`;
    },
  },
  {
    name: 'start',
    title: (ctx) =>
      `Build and start ${ctx.input.plan.project}${ctx.input.plan.data.length ? ` (data services in ${ctx.input.plan.dataProject})` : ''}`,
    async run(ctx) {
      const t0 = ctx.deps.clock.now();
      const started = ctx.session!.exec(niced(startCommand(ctx.input.plan)), { timeoutMs: 600_000, allowFailure: true });
      ctx.deps.preconnect(externalUrl(ctx)); // the external check's connection, opened while the app starts
      const result = await started;
      if (result.code !== 0) {
        // A failed job's log says why (a migration's error); its containers go with the undo, so it is read now.
        const job = failedJob(ctx.input.plan, result);
        const log = job && (await ctx.session!.exec(composeLogs(target(job.project), job.service, 30), { allowFailure: true }));
        throw startFailed(ctx.input.plan, result, log ? log.stdout + log.stderr : undefined);
      }
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
    title: (ctx) => `Check ${externalUrl(ctx)}`,
    run: (ctx) => checkAfterSwap(externalUrl(ctx), ctx.deps, ctx.input.timeoutMs, ctx.earlyCheck),
  },
  {
    name: 'finalize',
    title: 'Record the deployment (the node manifest, written beside the swap)',
    run: (ctx) => ctx.manifestWritten!,
  },
];

/**
 * The upload goes out beside the reconcile's read when its base is known without that read: a first deploy has
 * none, a redeploy from this machine has the running version's record (checked by the node against its own).
 * The reconcile's repairs touch containers, the alias and Caddy; the upload only stages the new colour's files.
 */
function startEarlyUpload(ctx: Ctx, recorded: string | null): Promise<Sent | 'stale'> | undefined {
  const { session, input } = ctx;
  if (input.plan.previous && recorded === null) return undefined;
  const upload = input.plan.previous
    ? syncApp(session!, input, { text: recorded, recorded: true })
    : syncApp(session!, input, { text: null });
  upload.catch(() => undefined); // awaited by the preflight; a failed reconcile ends the deploy first
  return upload;
}

export async function appDeploy(input: AppDeployInput, deps: WorkflowDeps): Promise<AppDeployResult> {
  const ctx = newCtx(input, deps);
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
    await appendAudit(ctx.session, deps, { command: 'app:deploy', args: auditArgs(input.plan), ...auditOutcome(failure) });
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
  const ctx = newCtx(input, deps);
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
      if (ctx.session) remote = { ...ctx.session.stats };
      await appendAudit(ctx.session, deps, { command: 'app:deploy', args: auditArgs(input.plan), ...auditOutcome(failure) });
      await ctx.session?.close();
    },
  };
}

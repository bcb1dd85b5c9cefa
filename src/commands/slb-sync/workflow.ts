/**
 * `dynia slb:sync`: publishes the healthy active nodes as the ORIGINS of the load-balancing Worker, uploads it
 * and makes it reachable (zone route or workers.dev). Read-only steps run first, so `--dry-run` and the empty
 * list refusal stop before anything changes; an unchanged list with unchanged code skips the upload.
 */
import { InputError } from '../../errors.js';
import { checkOrigins, HEALTH_DEFAULTS } from '../../slb/health.js';
import { diffOrigins, originCandidates, originsFromBindings } from '../../slb/origins.js';
import { slbDrift } from './reconcile.js';
import { publishSteps } from './publish.js';
import { sameOrigins, type SlbCtx, type SlbDeps, type SlbSyncInput, type SlbSyncResult, type SlbSyncSeams } from './context.js';
import { loadWorkerCode } from './worker-code.js';
import { runSteps, type Step } from '../../lib/steps.js';

export type { SlbCloudflare, SlbDeps, SlbSyncInput, SlbSyncResult, SlbSyncSeams } from './context.js';

/** Per-probe budget: a node that cannot answer its health path in 3 s is not one to send users to. */
export const PROBE_TIMEOUT_MS = 3_000;

const inspectSteps: Step<SlbCtx>[] = [
  {
    name: 'nodes',
    title: 'Collect the active nodes in state',
    async run(ctx) {
      for (const node of ctx.deps.tx.state.nodes) {
        if (node.status !== 'active') ctx.deps.reporter.info(`skipping node ${node.name}: it is ${node.status}, not active`);
      }
      ctx.candidates = originCandidates(ctx.deps.tx.state.nodes);
      ctx.origins = ctx.candidates.map((c) => c.origin);
      return `${ctx.candidates.length} active node(s)`;
    },
  },
  {
    name: 'health',
    title: (ctx) => `Check https://<fqdn><health path> of ${ctx.candidates.length} node(s), ${ctx.health.concurrency} at a time`,
    skip: (ctx) =>
      !ctx.input.health ? '--no-health: every active node is published' : ctx.candidates.length === 0 ? 'no active node' : undefined,
    async run(ctx) {
      const { healthy, dropped } = await checkOrigins(
        ctx.candidates,
        (url) => ctx.deps.probe(url, PROBE_TIMEOUT_MS),
        ctx.health,
        ctx.deps.clock,
      );
      for (const d of dropped) ctx.deps.reporter.warn(`dropped ${d.origin}: ${d.reason}`);
      ctx.origins = healthy.map((c) => c.origin);
      ctx.dropped = dropped;
      return `${healthy.length} healthy, ${dropped.length} dropped`;
    },
  },
  {
    name: 'current',
    title: (ctx) => `Read the current ORIGINS of Worker ${ctx.input.name}`,
    async run(ctx) {
      const settings = await ctx.deps.cloudflare.getWorkerSettings(ctx.input.accountId, ctx.input.name);
      ctx.workerExists = settings !== null;
      ctx.current = settings ? originsFromBindings(settings.bindings) : null;
      for (const drift of slbDrift(ctx.input.name, ctx.deps.tx.state.slb, settings ? { origins: ctx.current } : null))
        ctx.deps.reporter.info(`reconcile: ${drift}`);
      ctx.currentBindings = settings?.bindings ?? [];
      if (!settings) return 'no such Worker yet';
      if (!ctx.current) return 'it has no ORIGINS binding';
      const diff = diffOrigins(ctx.current, ctx.origins);
      return `${ctx.current.length} origin(s); ${diff.same ? 'same as the new list' : `${diff.added.length} to add, ${diff.removed.length} to remove`}`;
    },
  },
];

export async function slbSync(input: SlbSyncInput, deps: SlbDeps, seams: SlbSyncSeams = {}): Promise<SlbSyncResult> {
  const ctx: SlbCtx = {
    input,
    deps,
    health: seams.health ?? HEALTH_DEFAULTS,
    loadWorkerCode: seams.loadWorkerCode ?? (() => loadWorkerCode()),
    candidates: [],
    origins: [],
    dropped: [],
    workerExists: false,
    current: null,
    currentBindings: [],
    uploaded: false,
  };
  const timings = await runSteps(inspectSteps, ctx, deps.reporter);
  if (ctx.origins.length === 0 && !input.allowEmpty) throw emptyListError(ctx);
  if (ctx.origins.length === 0) deps.reporter.warn('publishing an empty ORIGINS list: the Worker will answer 500 to every request');
  const result = (url: string | null): SlbSyncResult => ({
    url,
    origins: ctx.origins,
    dropped: ctx.dropped,
    current: ctx.current,
    dryRun: input.dryRun,
    unchanged: sameOrigins(ctx),
    uploaded: ctx.uploaded,
    timings,
  });
  if (input.dryRun) {
    const recorded = deps.tx.state.slb;
    return result(recorded?.name === input.name ? recorded.url : null);
  }
  timings.push(...(await runSteps(publishSteps, ctx, deps.reporter)));
  return result(ctx.url!);
}

function emptyListError(ctx: SlbCtx) {
  const why =
    ctx.candidates.length === 0
      ? 'there is no active node in state'
      : `all ${ctx.candidates.length} active node(s) failed the health check (${ctx.dropped
          .slice(0, 3)
          .map((d) => `${d.origin}: ${d.reason}`)
          .join('; ')}${ctx.dropped.length > 3 ? '; …' : ''})`;
  return InputError(
    `no origin to publish: ${why}. Nothing was uploaded.`,
    'Create or repair nodes first (dynia node:create), or pass --allow-empty to publish an empty list (the Worker then answers 500 to every request).',
  );
}

/**
 * `dynia slb:sync`: publishes the healthy active nodes as the ORIGINS of the load-balancing Worker, uploads it
 * and makes it reachable (zone route or workers.dev). Read-only steps run first, so `--dry-run` and the empty
 * list refusal stop before anything changes; an unchanged list with unchanged code skips the upload.
 */
import { WORKER_COMPATIBILITY_DATE } from '../../worker/compatibility.js';
import type { CloudflareClient } from '../cloud/cloudflare.js';
import { renderWorkersDevUrl } from '../config/parse.js';
import { InputError } from '../errors.js';
import { probeHttps } from '../health/probe.js';
import type { StateTx } from '../state/store.js';
import type { Settings } from './ports.js';
import { checkOrigins, HEALTH_DEFAULTS, type HealthCheckOptions, type Probe } from './slb-health.js';
import { diffOrigins, originCandidates, originsFromBindings, routeUrl, type DroppedOrigin, type OriginCandidate } from './slb-origins.js';
import { slbDrift } from './slb-reconcile.js';
import { loadWorkerCode, workerCodeHash } from './slb-worker-code.js';
import { HEALTH_CRON, healthNamespaceTitle, healthPaths, sameHealthBindings, workerBindings } from './slb-active.js';
import { runSteps, type Reporter, type Step, type StepTiming } from './steps.js';

/** The Cloudflare calls slb:sync makes (the real client, or a fake in tests). */
export type SlbCloudflare = Pick<
  CloudflareClient,
  | 'uploadWorkerModule'
  | 'getWorkerSettings'
  | 'getWorkersSubdomain'
  | 'enableWorkersDev'
  | 'listWorkerRoutes'
  | 'createWorkerRoute'
  | 'listKvNamespaces'
  | 'createKvNamespace'
  | 'getWorkerSchedules'
  | 'putWorkerSchedules'
>;

/** The part of WorkflowDeps slb:sync uses. */
export interface SlbDeps {
  tx: StateTx;
  cloudflare: SlbCloudflare;
  settings: Pick<Settings, 'zoneId' | 'resolvers'>;
  reporter: Reporter;
}

export interface SlbSyncInput {
  /** Worker script name. */
  name: string;
  accountId: string;
  /** false (`--no-health`): publish every active node without probing it. */
  health: boolean;
  /** Zone route pattern; without it the Worker is served on workers.dev. */
  route?: string;
  /** DYNIA_WORKERS_DEV_URL, e.g. `https://{script}.{subdomain}.workers.dev`. */
  workersDevUrlTemplate: string;
  dryRun: boolean;
  allowEmpty: boolean;
}

/** What tests and the benchmark replace; the CLI uses the defaults. */
export interface SlbSyncSeams {
  probe?: Probe;
  loadWorkerCode?: () => Promise<string>;
  health?: HealthCheckOptions;
  now?: () => Date;
}

export interface SlbSyncResult {
  /** Where the Worker answers; in a dry run, the one recorded in state (null if none). */
  url: string | null;
  /** The ORIGINS published (in a dry run: that would be published). */
  origins: string[];
  dropped: DroppedOrigin[];
  /** The deployed Worker's ORIGINS before this run; null when it has none (or does not exist). */
  current: string[] | null;
  dryRun: boolean;
  /** The new ORIGINS equal the current ones. */
  unchanged: boolean;
  uploaded: boolean;
  timings: StepTiming[];
}

/** Per-probe budget: a node that cannot answer its health path in 3 s is not one to send users to. */
export const PROBE_TIMEOUT_MS = 3_000;
const MAIN_MODULE = 'worker.js';

interface Ctx {
  input: SlbSyncInput;
  deps: SlbDeps;
  probe: Probe;
  health: HealthCheckOptions;
  candidates: OriginCandidate[];
  origins: string[];
  dropped: DroppedOrigin[];
  workerExists: boolean;
  current: string[] | null;
  /** The deployed Worker's bindings (empty when it does not exist). */
  currentBindings: Array<{ type: string; name: string; [key: string]: unknown }>;
  /** The health KV namespace, once found or created. */
  namespaceId?: string;
  code?: string;
  codeHash?: string;
  loadWorkerCode: () => Promise<string>;
  now: () => Date;
  uploaded: boolean;
  url?: string;
}

const sameOrigins = (ctx: Ctx) => ctx.current !== null && diffOrigins(ctx.current, ctx.origins).same;

const inspectSteps: Step<Ctx>[] = [
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
      const { healthy, dropped } = await checkOrigins(ctx.candidates, ctx.probe, ctx.health);
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

const publishSteps: Step<Ctx>[] = [
  {
    name: 'kv',
    title: (ctx) => `Find or create KV namespace ${healthNamespaceTitle(ctx.input.name)} (shared health verdicts)`,
    async run(ctx) {
      const title = healthNamespaceTitle(ctx.input.name);
      const existing = (await ctx.deps.cloudflare.listKvNamespaces(ctx.input.accountId)).find((ns) => ns.title === title);
      ctx.namespaceId = (existing ?? (await ctx.deps.cloudflare.createKvNamespace(ctx.input.accountId, title))).id;
      return existing ? `reused ${ctx.namespaceId}` : `created ${ctx.namespaceId}`;
    },
  },
  {
    name: 'code',
    title: 'Load the Worker code',
    async run(ctx) {
      ctx.code = await ctx.loadWorkerCode();
      ctx.codeHash = workerCodeHash(ctx.code, WORKER_COMPATIBILITY_DATE);
      const recorded = ctx.deps.tx.state.slb;
      const changed = recorded?.name !== ctx.input.name || recorded.codeHash !== ctx.codeHash;
      return `${(ctx.code.length / 1024).toFixed(1)} KiB, ${changed ? 'not the one last published' : 'same as last published'}`;
    },
  },
  {
    name: 'upload',
    title: (ctx) => `Upload Worker ${ctx.input.name} with ${ctx.origins.length} origin(s)`,
    skip(ctx) {
      const recorded = ctx.deps.tx.state.slb;
      const sameCode = recorded?.name === ctx.input.name && recorded.codeHash === ctx.codeHash;
      const sameHealth = sameHealthBindings(ctx.currentBindings, healthPaths(ctx.candidates, ctx.origins), ctx.namespaceId!);
      return ctx.workerExists && sameOrigins(ctx) && sameCode && sameHealth
        ? 'ORIGINS, health bindings and Worker code unchanged: nothing to upload'
        : undefined;
    },
    async run(ctx) {
      await ctx.deps.cloudflare.uploadWorkerModule(ctx.input.accountId, ctx.input.name, {
        mainModule: MAIN_MODULE,
        code: ctx.code!,
        compatibilityDate: WORKER_COMPATIBILITY_DATE,
        bindings: workerBindings(ctx.origins, healthPaths(ctx.candidates, ctx.origins), ctx.namespaceId!),
      });
      ctx.uploaded = true;
      if (ctx.workerExists && sameOrigins(ctx)) return 'ORIGINS unchanged; new Worker code or health bindings';
    },
  },
  {
    name: 'schedule',
    title: (ctx) => `Probe the origins every minute (Cron Trigger "${HEALTH_CRON}" on ${ctx.input.name})`,
    async run(ctx) {
      const current = await ctx.deps.cloudflare.getWorkerSchedules(ctx.input.accountId, ctx.input.name);
      if (current?.length === 1 && current[0] === HEALTH_CRON) return 'already in place';
      await ctx.deps.cloudflare.putWorkerSchedules(ctx.input.accountId, ctx.input.name, [HEALTH_CRON]);
      return current?.length ? `replaced ${current.join(', ')}` : 'set';
    },
  },
  {
    name: 'reach',
    title: (ctx) =>
      ctx.input.route ? `Route ${ctx.input.route} to Worker ${ctx.input.name}` : `Serve Worker ${ctx.input.name} on workers.dev`,
    async run(ctx) {
      const { input, deps } = ctx;
      if (input.route) {
        ctx.url = routeUrl(input.route);
        const existing = (await deps.cloudflare.listWorkerRoutes(deps.settings.zoneId)).find((r) => r.pattern === input.route);
        if (existing && existing.script !== input.name) {
          throw InputError(
            `the route ${input.route} already sends its traffic to Worker ${existing.script || '(none)'}.`,
            `Remove that route in Cloudflare, or pick another --route for ${input.name}.`,
          );
        }
        if (!existing) await deps.cloudflare.createWorkerRoute(deps.settings.zoneId, { pattern: input.route, script: input.name });
        return existing ? `route already in place; ${ctx.url}` : `route created; ${ctx.url}`;
      }
      await deps.cloudflare.enableWorkersDev(input.accountId, input.name);
      const subdomain = await deps.cloudflare.getWorkersSubdomain(input.accountId);
      ctx.url = renderWorkersDevUrl(input.workersDevUrlTemplate, { script: input.name, subdomain });
      return ctx.url;
    },
  },
  {
    name: 'record',
    title: 'Record the published Worker in state',
    skip(ctx) {
      const recorded = ctx.deps.tx.state.slb;
      const same = !ctx.uploaded && recorded?.name === ctx.input.name && recorded.url === ctx.url && recorded.codeHash === ctx.codeHash;
      return same && diffOrigins(recorded.origins, ctx.origins).same ? 'already recorded' : undefined;
    },
    async run(ctx) {
      await ctx.deps.tx.commit((state) => {
        const previous = state.slb?.name === ctx.input.name ? state.slb : undefined;
        state.slb = {
          name: ctx.input.name,
          url: ctx.url!,
          origins: ctx.origins,
          publishedAt: ctx.uploaded || !previous ? ctx.now().toISOString() : previous.publishedAt,
          codeHash: ctx.codeHash!,
        };
      });
    },
  },
];

export async function slbSync(input: SlbSyncInput, deps: SlbDeps, seams: SlbSyncSeams = {}): Promise<SlbSyncResult> {
  const ctx: Ctx = {
    input,
    deps,
    probe: seams.probe ?? ((url) => probeHttps(url, { resolvers: deps.settings.resolvers, timeoutMs: PROBE_TIMEOUT_MS })),
    health: seams.health ?? HEALTH_DEFAULTS,
    loadWorkerCode: seams.loadWorkerCode ?? (() => loadWorkerCode()),
    now: seams.now ?? (() => new Date()),
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

function emptyListError(ctx: Ctx) {
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

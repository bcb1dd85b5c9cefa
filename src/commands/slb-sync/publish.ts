/** slb:sync's steps that change Cloudflare (after the read-only ones in workflow.ts): KV, code, upload, cron, reach, state. */
import { WORKER_COMPATIBILITY_DATE } from '../../../worker/compatibility.js';
import { renderWorkersDevUrl } from '../../config/parse.js';
import { InputError } from '../../errors.js';
import { HEALTH_CRON, healthNamespaceTitle, healthPaths, sameHealthBindings, workerBindings } from '../../slb/active.js';
import { diffOrigins, routeUrl } from '../../slb/origins.js';
import { sameOrigins, type SlbCtx } from './context.js';
import { workerCodeHash } from './worker-code.js';
import type { Step } from '../../lib/steps.js';

const MAIN_MODULE = 'worker.js';

export const publishSteps: Step<SlbCtx>[] = [
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
          publishedAt: ctx.uploaded || !previous ? ctx.deps.clock.date().toISOString() : previous.publishedAt,
          codeHash: ctx.codeHash!,
        };
      });
    },
  },
];

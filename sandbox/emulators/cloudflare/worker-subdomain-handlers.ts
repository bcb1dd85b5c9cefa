/** The account's workers.dev subdomain and each script's workers.dev switch. */
import { cfError, successEnvelope } from './envelope.js';
import type { RouteContext, Router } from './router.js';
import { assertOwnAccount, type EmulatorState } from './state.js';
import { invalidScript } from './worker-upload.js';
import { scriptNotFound, type WorkerScript } from './worker-scripts.js';

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const switchView = (script: WorkerScript) => ({
  enabled: script.subdomain.enabled,
  previews_enabled: script.subdomain.previewsEnabled,
});

export function registerWorkerSubdomainHandlers(router: Router, state: EmulatorState): void {
  const scriptOf = (ctx: RouteContext): WorkerScript => {
    assertOwnAccount(state, ctx.params.account_id!, ctx.fullPath);
    const script = state.scripts.get(ctx.params.script_name!);
    if (!script) throw scriptNotFound();
    return script;
  };

  router.add('GET', '/accounts/:account_id/workers/subdomain', async (ctx) => {
    assertOwnAccount(state, ctx.params.account_id!, ctx.fullPath);
    return { json: successEnvelope({ subdomain: state.workersSubdomain.name }) };
  });

  router.add('PUT', '/accounts/:account_id/workers/subdomain', async (ctx) => {
    assertOwnAccount(state, ctx.params.account_id!, ctx.fullPath);
    const body = await ctx.json();
    const subdomain = isObject(body) ? body.subdomain : undefined;
    if (typeof subdomain !== 'string' || !SUBDOMAIN.test(subdomain)) {
      throw cfError(400, 10032, 'Invalid subdomain: use lowercase letters, digits and "-" (at most 63).');
    }
    state.workersSubdomain.name = subdomain;
    return { json: successEnvelope({ subdomain }) };
  });

  router.add('GET', '/accounts/:account_id/workers/scripts/:script_name/subdomain', async (ctx) => ({
    json: successEnvelope(switchView(scriptOf(ctx))),
  }));

  router.add('POST', '/accounts/:account_id/workers/scripts/:script_name/subdomain', async (ctx) => {
    const script = scriptOf(ctx);
    const body = await ctx.json();
    if (!isObject(body) || typeof body.enabled !== 'boolean') throw invalidScript('"enabled" must be a boolean.');
    const previews = body.previews_enabled ?? body.enabled;
    if (typeof previews !== 'boolean') throw invalidScript('"previews_enabled" must be a boolean.');
    script.subdomain = { enabled: body.enabled, previewsEnabled: previews };
    return { json: successEnvelope(switchView(script)) };
  });
}

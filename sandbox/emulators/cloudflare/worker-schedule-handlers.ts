/** Cron Triggers (`/workers/scripts/:script_name/schedules`) and the script-settings endpoint. */
import { cfError, successEnvelope } from './envelope.js';
import { parseCron } from './cron.js';
import { nowTimestamp } from './ids.js';
import type { RouteContext, Router } from './router.js';
import { assertOwnAccount, type EmulatorState } from './state.js';
import { scriptNotFound, type WorkerScript } from './worker-scripts.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const schedulesView = (script: WorkerScript) => ({
  schedules: script.schedules.map((s) => ({ cron: s.cron, created_on: s.createdOn, modified_on: s.modifiedOn })),
});

/** The body is an array of `{cron}` (what wrangler sends); each must parse. */
function parseSchedules(body: unknown): string[] {
  if (!Array.isArray(body)) throw cfError(400, 10021, 'The body must be an array of {"cron": "<expression>"} objects.');
  return body.map((item, i) => {
    if (!isObject(item) || typeof item.cron !== 'string') throw cfError(400, 10021, `Schedule ${i}: "cron" must be a string.`);
    try {
      parseCron(item.cron);
    } catch (error) {
      throw cfError(400, 10100, `Invalid cron expression: ${(error as Error).message}`);
    }
    return item.cron.trim();
  });
}

export function registerWorkerScheduleHandlers(router: Router, state: EmulatorState): void {
  const scriptOf = (ctx: RouteContext): WorkerScript => {
    assertOwnAccount(state, ctx.params.account_id!, ctx.fullPath);
    const script = state.scripts.get(ctx.params.script_name!);
    if (!script) throw scriptNotFound();
    return script;
  };

  router.add('GET', '/accounts/:account_id/workers/scripts/:script_name/schedules', async (ctx) => ({
    json: successEnvelope(schedulesView(scriptOf(ctx))),
  }));

  /** Replaces the whole set; a cron already present keeps its creation time. */
  router.add('PUT', '/accounts/:account_id/workers/scripts/:script_name/schedules', async (ctx) => {
    const script = scriptOf(ctx);
    const crons = [...new Set(parseSchedules(await ctx.json()))];
    const now = nowTimestamp();
    script.schedules = crons.map((cron) => {
      const existing = script.schedules.find((s) => s.cron === cron);
      return existing ?? { cron, createdOn: now, modifiedOn: now };
    });
    return { json: successEnvelope(schedulesView(script)) };
  });

  router.add('GET', '/accounts/:account_id/workers/scripts/:script_name/script-settings', async (ctx) => ({
    json: successEnvelope(scriptOf(ctx).scriptSettings),
  }));

  router.add('PATCH', '/accounts/:account_id/workers/scripts/:script_name/script-settings', async (ctx) => {
    const script = scriptOf(ctx);
    const body = await ctx.json();
    if (!isObject(body)) throw cfError(400, 10021, 'The body must be a JSON object.');
    if (body.logpush !== undefined) {
      if (typeof body.logpush !== 'boolean') throw cfError(400, 10021, '"logpush" must be a boolean.');
      script.scriptSettings.logpush = body.logpush;
    }
    if (body.tail_consumers !== undefined) {
      if (!Array.isArray(body.tail_consumers) || !body.tail_consumers.every((t) => isObject(t) && typeof t.service === 'string')) {
        throw cfError(400, 10021, '"tail_consumers" must be an array of {"service": "<name>"}.');
      }
      script.scriptSettings.tail_consumers = body.tail_consumers as Array<{ service: string }>;
    }
    return { json: successEnvelope(script.scriptSettings) };
  });
}

/**
 * Dynia SLB Worker: spreads requests over the origins in ORIGINS, fails over, and never fetches anything
 * else. Its Cron Trigger probes the origins and shares the verdicts with every isolate through KV. See
 * worker/README.md for the rules (Host, replay, passive and active health, WebSockets).
 */
import { readActiveSettings, type ActiveEnv, type ActiveSettings } from './active-config.js';
import { ConfigProblem, readSettings, type Env as BaseEnv, type Settings } from './config.js';
import { PassiveHealth } from './health.js';
import { probeOrigin } from './probe.js';
import { proxy, type IsolateState } from './proxy.js';
import { misconfigured } from './replies.js';
import { RoundRobin } from './selection.js';
import { asRecord, HEALTH_KEY, nextRecord, worthWriting } from './shared-health.js';
import { SharedView, type HealthKv } from './shared-view.js';

export type Env = BaseEnv & ActiveEnv & { HEALTH?: HealthKv };

interface ExecutionContext {
  waitUntil(work: Promise<unknown>): void;
}

const state: IsolateState = { rotation: new RoundRobin(), health: new PassiveHealth() };
const shared = new SharedView();

interface AllSettings {
  settings: Settings;
  active: ActiveSettings;
}

/** Bindings don't change within an isolate, so they are parsed once, not per request. */
let cached: { key: string; value: AllSettings | ConfigProblem } | undefined;

function settingsFor(env: Env): AllSettings | ConfigProblem {
  const { HEALTH: _kv, ...plain } = env;
  const key = JSON.stringify(plain);
  if (cached?.key !== key) {
    let value: AllSettings | ConfigProblem;
    try {
      const settings = readSettings(env);
      value = { settings, active: readActiveSettings(env, settings.origins) };
    } catch (error) {
      if (!(error instanceof ConfigProblem)) throw error;
      value = error;
    }
    cached = { key, value };
  }
  return cached.value;
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const all = settingsFor(env);
    if (all instanceof ConfigProblem) {
      console.error(`dynia-slb: ${all.message}`);
      return misconfigured();
    }
    const down = await shared.downOrigins(env.HEALTH, Date.now(), all.active.sharedTtlMs, (work) => ctx.waitUntil(work));
    return proxy(request, all.settings, state, down);
  },

  /** Cron Trigger: probe every origin, then publish the verdicts when they changed (or the heartbeat is due). */
  async scheduled(_controller: unknown, env: Env): Promise<void> {
    const all = settingsFor(env);
    if (all instanceof ConfigProblem) {
      console.error(`dynia-slb: ${all.message}`);
      return;
    }
    if (env.HEALTH === undefined) {
      console.error('dynia-slb: no HEALTH KV binding; active health is off (passive health only)');
      return;
    }
    const previous = asRecord(await env.HEALTH.get(HEALTH_KEY, { type: 'json' }));
    const outcomes = await Promise.all(all.settings.origins.map((origin) => probeOrigin(origin, all.active)));
    const now = new Date();
    const record = nextRecord(previous, outcomes, now, all.active.failuresToDown);
    if (worthWriting(previous, record, now)) await env.HEALTH.put(HEALTH_KEY, JSON.stringify(record));
    shared.replace(record, now.getTime());
  },
};

/**
 * Dynia SLB Worker: spreads requests over the origins in ORIGINS, fails over, and never fetches anything
 * else. See worker/README.md for the rules (Host, replay, passive health).
 */
import { ConfigProblem, readSettings, type Env, type Settings } from './config.js';
import { PassiveHealth } from './health.js';
import { proxy, type IsolateState } from './proxy.js';
import { misconfigured } from './replies.js';
import { RoundRobin } from './selection.js';

const state: IsolateState = { rotation: new RoundRobin(), health: new PassiveHealth() };

/** Bindings don't change within an isolate, so they are parsed once, not per request. */
let cached: { key: string; settings: Settings | ConfigProblem } | undefined;

function settingsFor(env: Env): Settings | ConfigProblem {
  const key = JSON.stringify([env.ORIGINS, env.ALLOW_HTTP_ORIGINS, env.ORIGIN_TIMEOUT_MS, env.FAIL_COOLDOWN_MS]);
  if (cached?.key !== key) {
    let settings: Settings | ConfigProblem;
    try {
      settings = readSettings(env);
    } catch (error) {
      if (!(error instanceof ConfigProblem)) throw error;
      settings = error;
    }
    cached = { key, settings };
  }
  return cached.settings;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const settings = settingsFor(env);
    if (settings instanceof ConfigProblem) {
      console.error(`dynia-slb: ${settings.message}`);
      return misconfigured();
    }
    return proxy(request, settings, state);
  },
};

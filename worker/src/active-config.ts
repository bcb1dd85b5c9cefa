/** Settings of active health (probes on the Cron Trigger, verdicts shared through KV). Pure: no I/O. */
import { ConfigProblem } from './config.js';

export interface ActiveEnv {
  /** JSON object (string or json binding): origin → health path, e.g. `{"https://web-1.example.com":"/healthz"}`. */
  HEALTH_PATHS?: unknown;
  /** Consecutive failed probes before an origin is considered down (default 2). */
  PROBE_FAILURES_TO_DOWN?: unknown;
  /** Budget of one probe in ms (default 3000). */
  PROBE_TIMEOUT_MS?: unknown;
  /** Pause before the next probe of an origin that just failed, within one run, in ms (default 1000). */
  PROBE_RETRY_MS?: unknown;
  /** How long an isolate trusts the verdicts it read from KV before reading again, in ms (default 10000). */
  SHARED_HEALTH_TTL_MS?: unknown;
}

export interface ActiveSettings {
  /** Health path per origin; an origin without one is probed at `/`. */
  healthPaths: Readonly<Record<string, string>>;
  failuresToDown: number;
  probeTimeoutMs: number;
  probeRetryMs: number;
  sharedTtlMs: number;
}

const ACTIVE_DEFAULTS = { failuresToDown: 2, probeTimeoutMs: 3_000, probeRetryMs: 1_000, sharedTtlMs: 10_000 };

export function readActiveSettings(env: ActiveEnv, origins: readonly string[]): ActiveSettings {
  return {
    healthPaths: parseHealthPaths(env.HEALTH_PATHS, origins),
    failuresToDown: readInt('PROBE_FAILURES_TO_DOWN', env.PROBE_FAILURES_TO_DOWN, ACTIVE_DEFAULTS.failuresToDown, 1),
    probeTimeoutMs: readInt('PROBE_TIMEOUT_MS', env.PROBE_TIMEOUT_MS, ACTIVE_DEFAULTS.probeTimeoutMs, 1),
    probeRetryMs: readInt('PROBE_RETRY_MS', env.PROBE_RETRY_MS, ACTIVE_DEFAULTS.probeRetryMs, 0),
    sharedTtlMs: readInt('SHARED_HEALTH_TTL_MS', env.SHARED_HEALTH_TTL_MS, ACTIVE_DEFAULTS.sharedTtlMs, 0),
  };
}

/**
 * Only paths of configured origins are kept, and each must be an absolute path without query or fragment,
 * so a probe can only ever reach `origin + path`, like every other request of the Worker.
 */
export function parseHealthPaths(raw: unknown, origins: readonly string[]): Record<string, string> {
  if (raw === undefined || raw === '') return {};
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ConfigProblem('HEALTH_PATHS is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigProblem('HEALTH_PATHS must be a JSON object');
  const paths: Record<string, string> = {};
  for (const [key, path] of Object.entries(value)) {
    let origin: string;
    try {
      origin = new URL(key).origin;
    } catch {
      throw new ConfigProblem('HEALTH_PATHS has a key that is not an origin');
    }
    if (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path) || path.startsWith('//')) {
      throw new ConfigProblem('HEALTH_PATHS values must be absolute paths (no query or fragment)');
    }
    if (origins.includes(origin)) paths[origin] = path;
  }
  return paths;
}

function readInt(name: string, raw: unknown, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const text = String(raw).trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) throw new ConfigProblem(`${name} must be an integer >= ${min}`);
  return value;
}

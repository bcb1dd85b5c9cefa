/** Reads the Worker's bindings into validated settings. Pure: no I/O. */
import { originsTextEntries } from './origins-text.js';

export interface Env {
  /** JSON array (string or json binding) or comma list of origins, e.g. `https://web-1.example.com`. */
  ORIGINS?: unknown;
  /** "true" also allows `http://` origins (local tests only). */
  ALLOW_HTTP_ORIGINS?: unknown;
  /** Per-attempt inactivity budget in ms (default 5000). */
  ORIGIN_TIMEOUT_MS?: unknown;
  /** How long a failed origin is skipped, in ms (default 10000; 0 disables). */
  FAIL_COOLDOWN_MS?: unknown;
}

export interface Settings {
  /** Normalised origins (`scheme://host[:port]`, no trailing slash), unique, in configured order. */
  origins: readonly string[];
  timeoutMs: number;
  cooldownMs: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_COOLDOWN_MS = 10_000;

export class ConfigProblem extends Error {}

export function readSettings(env: Env): Settings {
  return {
    origins: parseOrigins(env.ORIGINS, { allowHttp: String(env.ALLOW_HTTP_ORIGINS ?? '') === 'true' }),
    timeoutMs: readMs('ORIGIN_TIMEOUT_MS', env.ORIGIN_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, 1),
    cooldownMs: readMs('FAIL_COOLDOWN_MS', env.FAIL_COOLDOWN_MS, DEFAULT_COOLDOWN_MS, 0),
  };
}

/**
 * Parses ORIGINS. Every entry must be a bare origin: an allowed scheme, a host, an optional port and
 * nothing else (no credentials, path, query or fragment), so the Worker can only ever reach these hosts.
 * One bad entry rejects the whole list: silently dropping it would hide a typo behind reduced capacity.
 */
export function parseOrigins(raw: unknown, options: { allowHttp: boolean }): string[] {
  const entries = splitEntries(raw);
  const origins: string[] = [];
  entries.forEach((entry, index) => {
    const origin = parseOrigin(entry, index, options.allowHttp);
    if (!origins.includes(origin)) origins.push(origin);
  });
  if (origins.length === 0) throw new ConfigProblem('ORIGINS lists no origin');
  return origins;
}

function splitEntries(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (typeof raw !== 'string') throw new ConfigProblem('ORIGINS is missing');
  const entries = originsTextEntries(raw);
  if (entries === undefined) throw new ConfigProblem('ORIGINS looks like JSON but does not parse');
  return entries;
}

function parseOrigin(entry: unknown, index: number, allowHttp: boolean): string {
  const where = `ORIGINS entry ${index + 1}`;
  if (typeof entry !== 'string') throw new ConfigProblem(`${where} is not a string`);
  let url: URL;
  try {
    url = new URL(entry.trim());
  } catch {
    throw new ConfigProblem(`${where} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw new ConfigProblem(`${where} must use https${allowHttp ? ' or http' : ''}`);
  }
  if (url.username !== '' || url.password !== '') throw new ConfigProblem(`${where} must not carry credentials`);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || entry.includes('?') || entry.includes('#')) {
    throw new ConfigProblem(`${where} must be a bare origin (no path, query or fragment)`);
  }
  return url.origin;
}

function readMs(name: string, raw: unknown, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const text = String(raw).trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigProblem(`${name} must be an integer >= ${min}`);
  }
  return value;
}

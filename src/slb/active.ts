/**
 * Pure parts of the SLB's active health as slb:sync sets it up: the Cron Trigger, the KV namespace the
 * verdicts live in, and the bindings that tell the Worker where to probe (see worker/README.md).
 */
import type { WorkerBinding } from '../cloud/cloudflare.js';
import type { OriginCandidate } from './origins.js';

/** Every minute: Cloudflare's finest Cron Trigger. */
export const HEALTH_CRON = '* * * * *';
/** The binding the Worker reads verdicts from, and the key they are under (worker/src/shared-health.ts). */
export const HEALTH_BINDING = 'HEALTH';
export const HEALTH_KEY = 'health:v1';

/** One namespace per Worker, found again by its title on every run (created once, reused). */
export const healthNamespaceTitle = (workerName: string): string => `${workerName}-health`;

/** `{origin: health path}` of the published origins. */
export function healthPaths(candidates: readonly OriginCandidate[], origins: readonly string[]): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const c of candidates) if (origins.includes(c.origin)) paths[c.origin] = c.healthUrl.slice(c.origin.length) || '/';
  return paths;
}

export function workerBindings(origins: readonly string[], paths: Record<string, string>, namespaceId: string): WorkerBinding[] {
  return [
    { type: 'json', name: 'ORIGINS', json: origins },
    { type: 'json', name: 'HEALTH_PATHS', json: paths },
    { type: 'kv_namespace', name: HEALTH_BINDING, namespace_id: namespaceId },
  ];
}

/** Whether the deployed Worker already has the health bindings we would upload (ORIGINS is compared apart). */
export function sameHealthBindings(
  current: ReadonlyArray<{ type: string; name: string; [key: string]: unknown }>,
  paths: Record<string, string>,
  namespaceId: string,
): boolean {
  const kv = current.find((b) => b.name === HEALTH_BINDING);
  const recorded = current.find((b) => b.name === 'HEALTH_PATHS');
  const recordedPaths = recorded?.type === 'json' ? recorded.json : recorded?.type === 'plain_text' ? safeJson(recorded.text) : undefined;
  return kv?.type === 'kv_namespace' && kv.namespace_id === namespaceId && canonical(recordedPaths) === canonical(paths);
}

const safeJson = (text: unknown): unknown => {
  try {
    return JSON.parse(String(text));
  } catch {
    return undefined;
  }
};

const canonical = (value: unknown): string =>
  typeof value === 'object' && value !== null
    ? JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))))
    : String(value);

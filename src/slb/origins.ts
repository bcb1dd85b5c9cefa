/** Pure parts of `slb:sync`: which nodes become origins, what the Worker has now, how the two differ. */
import { commaList, originsTextEntries } from '../../worker/src/origins-text.js';
import type { NodeRecord } from '../state/schema.js';

/** An active node as the load balancer sees it. */
export interface OriginCandidate {
  node: string;
  /** `https://<fqdn>`, what the Worker's ORIGINS lists. */
  origin: string;
  /** `https://<fqdn><healthPath>`, what the health check asks. */
  healthUrl: string;
}

export interface DroppedOrigin {
  origin: string;
  reason: string;
}

/** The active nodes in state order; nodes still creating (or failed) are not origins. */
export function originCandidates(nodes: readonly NodeRecord[]): OriginCandidate[] {
  return nodes
    .filter((node) => node.status === 'active')
    .map((node) => ({ node: node.name, origin: `https://${node.fqdn}`, healthUrl: `https://${node.fqdn}${node.healthPath}` }));
}

/** Why a health check failed, for the user: the probe's own words, else the status. */
export function dropReason(result: { status?: number; error?: string }, attempts: number): string {
  const why = result.error ?? (result.status === undefined ? 'no answer' : `answered HTTP ${result.status}`);
  return attempts > 1 ? `${why} (${attempts} attempts)` : why;
}

/**
 * The ORIGINS the deployed Worker has, from its settings' bindings (a `json` binding or a plain-text JSON
 * array / comma list, read as the Worker reads them); null when there is no such binding. Broken JSON, which
 * the Worker refuses, is shown as its text split at commas.
 */
export function originsFromBindings(bindings: ReadonlyArray<{ type: string; name: string; [key: string]: unknown }>): string[] | null {
  const binding = bindings.find((b) => b.name === 'ORIGINS');
  if (!binding) return null;
  const raw = binding.type === 'json' ? binding.json : binding.text;
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string') return [];
  return (originsTextEntries(raw) ?? commaList(raw)).map(String);
}

export interface OriginsDiff {
  added: string[];
  removed: string[];
  /** Same set of origins (order does not matter: the Worker starts its rotation at a random offset). */
  same: boolean;
}

export function diffOrigins(current: readonly string[], next: readonly string[]): OriginsDiff {
  const added = next.filter((o) => !current.includes(o));
  const removed = current.filter((o) => !next.includes(o));
  return { added, removed, same: added.length === 0 && removed.length === 0 };
}

/**
 * Rows for a side-by-side view, current | new: kept origins on one row, a removed one with '-' on the right,
 * an added one with '-' on the left. Kept and removed rows follow the current order, added ones come last.
 */
export function sideBySide(current: readonly string[], next: readonly string[]): Array<[string, string]> {
  const rows: Array<[string, string]> = current.map((o) => [o, next.includes(o) ? o : '-']);
  for (const o of next) if (!current.includes(o)) rows.push(['-', o]);
  return rows;
}

/** The public URL a zone route pattern (`host/path`) serves, e.g. `app.example.com/*` → `https://app.example.com/`. */
export function routeUrl(pattern: string): string {
  return `https://${pattern.replace(/\*$/, '')}`;
}

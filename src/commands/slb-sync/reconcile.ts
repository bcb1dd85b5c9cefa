/**
 * slb:sync's reconcile: the Worker Cloudflare actually has against the one state records. A sync killed
 * after its upload and before its record (or a change made outside Dynia) leaves them apart; this says how,
 * and the sync then publishes and records one list, so both agree again. Pure: the caller reads both sides.
 */
import type { SlbRecord } from '../../state/schema.js';
import { diffOrigins } from '../../slb/origins.js';

/** `live`: null when the Worker does not exist; `origins` null when it has no ORIGINS binding. */
export function slbDrift(name: string, recorded: SlbRecord | undefined, live: { origins: string[] | null } | null): string[] {
  const mine = recorded?.name === name ? recorded : undefined;
  if (mine && !live)
    return [`Worker ${name}, recorded in state as published at ${mine.publishedAt}, no longer exists in Cloudflare; it is uploaded again`];
  if (!mine && live)
    return [
      `Worker ${name} exists in Cloudflare but state has no record of it (a first sync interrupted before its record?); this sync takes it over`,
    ];
  if (!mine || !live) return [];
  if (live.origins === null)
    return [`Worker ${name} has no ORIGINS binding although state records ${mine.origins.length}; it is uploaded again`];
  const diff = diffOrigins(mine.origins, live.origins);
  if (diff.same) return [];
  const list = (origins: string[]) => origins.join(', ') || 'none';
  return [
    `Worker ${name} serves ORIGINS that state does not record (only in Cloudflare: ${list(diff.added)}; only in state: ${list(diff.removed)}), e.g. a sync interrupted after its upload; state is rewritten from what this sync publishes`,
  ];
}

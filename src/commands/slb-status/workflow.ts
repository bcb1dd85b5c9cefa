/** `dynia slb:status`: each origin's verdict as the Worker sees it (its ORIGINS and the shared KV record). Read-only. */
import { InputError } from '../../errors.js';
import { HEALTH_BINDING, HEALTH_KEY } from '../../slb/active.js';
import type { WorkflowDeps } from '../../lib/ports.js';
import { originsFromBindings } from '../../slb/origins.js';

export type SlbStatusDeps = { cloudflare: Pick<WorkflowDeps['cloudflare'], 'getWorkerSettings' | 'readKvValue' | 'getWorkerSchedules'> };

export interface OriginStatus {
  origin: string;
  /** `up` / `down` from the probes; `unknown` before the first probe of that origin. */
  verdict: 'up' | 'down' | 'unknown';
  failures: number;
  /** Since when the verdict holds, and the last probe (ISO; null before the first). */
  since: string | null;
  checkedAt: string | null;
  error: string | null;
}

export interface SlbStatus {
  name: string;
  crons: string[];
  /** When the probes last wrote their record (written on changes, else every 10 min: KV's free write budget). */
  recordedAt: string | null;
  origins: OriginStatus[];
}

/** Pure: the rows from the Worker's ORIGINS and the record its Cron Trigger wrote. */
export function originStatuses(origins: readonly string[], record: unknown): OriginStatus[] {
  const verdicts =
    (typeof record === 'object' && record !== null
      ? (record as { origins?: Record<string, Record<string, unknown>> }).origins
      : undefined) ?? {};
  return origins.map((origin) => {
    const v = verdicts[origin];
    if (!v) return { origin, verdict: 'unknown', failures: 0, since: null, checkedAt: null, error: null };
    return {
      origin,
      verdict: v.up === false ? 'down' : 'up',
      failures: typeof v.failures === 'number' ? v.failures : 0,
      since: typeof v.since === 'string' ? v.since : null,
      checkedAt: typeof v.checkedAt === 'string' ? v.checkedAt : null,
      error: typeof v.error === 'string' ? v.error : null,
    };
  });
}

export async function slbStatus(input: { name: string; accountId: string }, { cloudflare }: SlbStatusDeps): Promise<SlbStatus> {
  const settings = await cloudflare.getWorkerSettings(input.accountId, input.name);
  if (!settings)
    throw InputError(
      `there is no Worker ${input.name} in the account.`,
      'Publish it first: dynia slb:sync (or pass --name of the Worker).',
    );
  const origins = originsFromBindings(settings.bindings) ?? [];
  const kv = settings.bindings.find((b) => b.name === HEALTH_BINDING && b.type === 'kv_namespace');
  const record = kv ? await cloudflare.readKvValue(input.accountId, String(kv.namespace_id), HEALTH_KEY) : null;
  const crons = (await cloudflare.getWorkerSchedules(input.accountId, input.name)) ?? [];
  const recordedAt =
    typeof record === 'object' && record !== null && typeof (record as { checkedAt?: unknown }).checkedAt === 'string'
      ? (record as { checkedAt: string }).checkedAt
      : null;
  return { name: input.name, crons, recordedAt, origins: originStatuses(origins, record) };
}

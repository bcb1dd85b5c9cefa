/**
 * One isolate's view of the shared verdicts in KV. A fresh isolate waits for its first read (so it never sends
 * to an origin the probes found down); after that a stale view is refreshed in the background, so requests
 * never wait for KV again.
 */
import { downOrigins, HEALTH_KEY } from './shared-health.js';

/** The part of a Workers KV namespace the Worker uses. */
export interface HealthKv {
  get(key: string, options: { type: 'json'; cacheTtl?: number }): Promise<unknown>;
  put(key: string, value: string): Promise<void>;
}

/** KV's shortest edge cache; Cloudflare's default (60 s) would delay a verdict twice as long. */
const KV_CACHE_TTL_SECONDS = 30;
const NONE: ReadonlySet<string> = new Set();

export class SharedView {
  private down: ReadonlySet<string> = NONE;
  private readAt: number | undefined;
  private pending: Promise<void> | undefined;

  /** Origins the probes say are down. `waitUntil` keeps a background refresh alive after the response. */
  async downOrigins(
    kv: HealthKv | undefined,
    now: number,
    ttlMs: number,
    waitUntil: (work: Promise<unknown>) => void,
  ): Promise<ReadonlySet<string>> {
    if (kv === undefined) return NONE;
    if (this.readAt !== undefined && now - this.readAt < ttlMs) return this.down;
    const first = this.readAt === undefined;
    this.pending ??= this.refresh(kv, now).finally(() => (this.pending = undefined));
    if (first) await this.pending;
    else waitUntil(this.pending);
    return this.down;
  }

  /** The isolate that just ran the probes knows the verdicts without reading them back. */
  replace(record: unknown, now: number): void {
    this.down = downOrigins(record);
    this.readAt = now;
  }

  private async refresh(kv: HealthKv, now: number): Promise<void> {
    try {
      this.replace(await kv.get(HEALTH_KEY, { type: 'json', cacheTtl: KV_CACHE_TTL_SECONDS }), now);
    } catch (error) {
      // Keep the last verdicts; passive health still covers a dead origin meanwhile.
      this.readAt = now;
      console.error(`dynia-slb: reading shared health failed: ${(error as Error).message}`);
    }
  }
}

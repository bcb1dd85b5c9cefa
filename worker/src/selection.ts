/** Which origins a request tries, in which order. Pure: randomness and time come from the caller. */
import type { PassiveHealth } from './health.js';

/** A per-isolate turn counter. Each isolate starts at a random offset so isolates don't all hit origin 1 first. */
export class RoundRobin {
  private turn: number | undefined;

  constructor(private readonly random: () => number = Math.random) {}

  /** Drawn lazily: Workers forbid random values in global scope, where this object is created. */
  next(): number {
    this.turn ??= Math.floor(this.random() * 2 ** 32);
    return this.turn++;
  }
}

/**
 * Healthy origins first, rotated by `turn` so load spreads evenly over the healthy ones; then origins in
 * cooldown (soonest recovery first) as a last resort if every healthy one fails during this request.
 * When none is healthy, only the one recovering soonest is tried: a cheap probe instead of paying every
 * timeout again during a full outage.
 */
export function orderCandidates(origins: readonly string[], turn: number, health: PassiveHealth, now: number): string[] {
  const healthy: string[] = [];
  const cooling: Array<{ origin: string; until: number }> = [];
  for (const origin of origins) {
    const until = health.coolingUntil(origin, now);
    if (until === undefined) healthy.push(origin);
    else cooling.push({ origin, until });
  }
  const lastResort = cooling.sort((a, b) => a.until - b.until).map((c) => c.origin);
  if (healthy.length === 0) return lastResort.slice(0, 1);
  const start = turn % healthy.length;
  return [...healthy.slice(start), ...healthy.slice(0, start), ...lastResort];
}

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

const NONE: ReadonlySet<string> = new Set();

const rotate = <T>(items: readonly T[], turn: number): T[] => {
  const start = turn % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
};

/**
 * Healthy origins first (neither cooling in this isolate nor found down by the shared probes), rotated by `turn`
 * so load spreads evenly over them; then origins the probes found down; then origins in cooldown (soonest
 * recovery first), as a last resort if every healthy one fails during this request.
 * When none is healthy, the probes' verdicts may be stale, so the origins they found down are still tried (in
 * rotation), then the one recovering soonest; when every origin is cooling, only that one is tried: a cheap
 * probe instead of paying every timeout again during a full outage.
 */
export function orderCandidates(
  origins: readonly string[],
  turn: number,
  health: PassiveHealth,
  now: number,
  sharedDown: ReadonlySet<string> = NONE,
): string[] {
  const healthy: string[] = [];
  const probedDown: string[] = [];
  const cooling: Array<{ origin: string; until: number }> = [];
  for (const origin of origins) {
    const until = health.coolingUntil(origin, now);
    if (until !== undefined) cooling.push({ origin, until });
    else if (sharedDown.has(origin)) probedDown.push(origin);
    else healthy.push(origin);
  }
  const lastResort = cooling.sort((a, b) => a.until - b.until).map((c) => c.origin);
  if (healthy.length > 0) return [...rotate(healthy, turn), ...probedDown, ...lastResort];
  if (probedDown.length > 0) return [...rotate(probedDown, turn), ...lastResort.slice(0, 1)];
  return lastResort.slice(0, 1);
}

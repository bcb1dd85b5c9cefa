/**
 * Passive health, per isolate: an origin that just failed is skipped until its cooldown ends.
 * Nothing probes actively; real traffic is the probe. Time is passed in so the logic stays pure.
 */
export class PassiveHealth {
  private readonly downUntil = new Map<string, number>();

  markFailed(origin: string, now: number, cooldownMs: number): void {
    if (cooldownMs > 0) this.downUntil.set(origin, now + cooldownMs);
  }

  markServed(origin: string): void {
    this.downUntil.delete(origin);
  }

  /** End of the origin's cooldown, or undefined when it is considered healthy at `now`. */
  coolingUntil(origin: string, now: number): number | undefined {
    const until = this.downUntil.get(origin);
    return until !== undefined && until > now ? until : undefined;
  }
}

/** DigitalOcean's hourly request quota, reported on every response as `ratelimit-*` headers. */

export const HOURLY_LIMIT = 5000;
const WINDOW_SECONDS = 3600;

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Unix epoch seconds when the quota refills. */
  reset: number;
}

/** A fixed one-hour window that starts when the emulator first answers (the real API uses a rolling one). */
export class RateLimiter {
  private used = 0;
  private windowEnd = 0;

  constructor(
    private readonly limit: number = HOURLY_LIMIT,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** Counts one request; `allowed` is false once the quota is spent. */
  take(): RateLimitState & { allowed: boolean } {
    this.roll();
    const allowed = this.used < this.limit;
    if (allowed) this.used += 1;
    return { ...this.state(), allowed };
  }

  /** The current state without counting a request. */
  state(): RateLimitState {
    this.roll();
    return { limit: this.limit, remaining: this.limit - this.used, reset: this.windowEnd };
  }

  private roll(): void {
    const now = this.nowSeconds();
    if (now >= this.windowEnd) {
      this.used = 0;
      this.windowEnd = now + WINDOW_SECONDS;
    }
  }
}

export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'ratelimit-limit': String(state.limit),
    'ratelimit-remaining': String(state.remaining),
    'ratelimit-reset': String(state.reset),
  };
}

import { TimeoutError } from '../errors.js';
import type { Clock } from './clock.js';

/**
 * Calls `attempt` until it returns a value (not undefined) or the time is up. Errors from `attempt` end the
 * wait at once: only "not yet" is retried.
 */
export async function poll<T>(opts: {
  what: string;
  timeoutMs: number;
  intervalMs: number;
  attempt: () => Promise<T | undefined>;
  clock: Clock;
}): Promise<T> {
  const deadline = opts.clock.now() + opts.timeoutMs;
  for (;;) {
    const value = await opts.attempt();
    if (value !== undefined) return value;
    if (opts.clock.now() + opts.intervalMs > deadline) {
      throw TimeoutError(`gave up waiting for ${opts.what} after ${Math.round(opts.timeoutMs / 1000)} s.`);
    }
    await opts.clock.sleep(opts.intervalMs);
  }
}

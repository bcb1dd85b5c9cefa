/** Time as workflows see it: a port, so unit tests run on virtual time and never wait. */
export interface Clock {
  /** Milliseconds on a monotonic scale: durations and deadlines. */
  now(): number;
  /** The wall-clock time: timestamps in state, manifests and audit lines. */
  date(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  date: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

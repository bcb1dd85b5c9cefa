/** The external health check node:create, app:deploy and app:rollback end with: the public URL over real HTTPS, polled until it answers. */
import { TimeoutError } from '../errors.js';
import type { ProbeResult } from '../health/probe.js';
import { poll } from '../lib/poll.js';
import type { WorkflowDeps } from '../lib/ports.js';

/**
 * The check's first probe sent ahead, beside the end of a drain, once only the new version can answer it (the
 * old one's door shut); never rejects.
 */
export const probeAhead = (url: string, deps: Pick<WorkflowDeps, 'probe'>): Promise<ProbeResult | undefined> =>
  deps.probe(url).catch(() => undefined);

/** The external check after a swap: done if the probe sent ahead passed, else polled as usual; its summary. */
export async function checkAfterSwap(
  url: string,
  deps: Pick<WorkflowDeps, 'probe' | 'clock'>,
  timeoutMs: number,
  ahead: Promise<ProbeResult | undefined> | undefined,
): Promise<string> {
  const early = await ahead;
  if (early?.ok) return `HTTP ${early.status} (asked beside the drain, once the old version's door was shut)`;
  return `HTTP ${(await pollHttps(url, deps, timeoutMs)).status}`;
}

/** Polls until 2xx/3xx with a valid certificate; the timeout names the last failure. */
export async function pollHttps(url: string, deps: Pick<WorkflowDeps, 'probe' | 'clock'>, timeoutMs: number): Promise<ProbeResult> {
  let last = '';
  try {
    return await poll({
      what: url,
      timeoutMs,
      intervalMs: 500,
      clock: deps.clock,
      attempt: async () => {
        const result = await deps.probe(url);
        last = result.error ?? `HTTP ${result.status}`;
        return result.ok ? result : undefined;
      },
    });
  } catch {
    throw TimeoutError(
      `${url} did not answer 2xx/3xx over valid HTTPS within ${timeoutMs / 1000} s; last: ${last}`,
      "Check the node's Caddy logs: ssh root@<node ip> docker logs dynia-caddy",
    );
  }
}

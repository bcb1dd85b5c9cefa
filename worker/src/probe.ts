/** Active probes of the origins' health paths, run by the Cron Trigger. */
import type { ActiveSettings } from './active-config.js';
import type { ProbeOutcome } from './shared-health.js';
import { upstreamUrl } from './upstream-url.js';

type Sleep = (ms: number) => Promise<void>;
const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET `origin + path`; healthy is a 2xx or 3xx within the timeout (redirects are not followed). */
async function probeOnce(url: string, timeoutMs: number): Promise<{ ok: boolean; error?: string }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetch(url, { redirect: 'manual', signal: abort.signal, headers: { 'user-agent': 'dynia-slb-probe' } });
    await response.body?.cancel();
    return response.status < 400 ? { ok: true } : { ok: false, error: `HTTP ${response.status}` };
  } catch {
    return { ok: false, error: abort.signal.aborted ? 'timeout' : 'connection failed' };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Probes one origin up to `failuresToDown` times, pausing between tries, and stops at the first success: a dead
 * origin is found down within one run, while one lost probe alone never drops it.
 */
export async function probeOrigin(origin: string, settings: ActiveSettings, wait: Sleep = sleep): Promise<ProbeOutcome> {
  const url = upstreamUrl(origin, new URL(settings.healthPaths[origin] ?? '/', 'http://path.invalid'));
  let failedAttempts = 0;
  let error: string | undefined;
  for (;;) {
    const result = await probeOnce(url, settings.probeTimeoutMs);
    if (result.ok) return { origin, ok: true, failedAttempts };
    failedAttempts++;
    error = result.error;
    if (failedAttempts >= settings.failuresToDown) return { origin, ok: false, failedAttempts, ...(error ? { error } : {}) };
    await wait(settings.probeRetryMs);
  }
}

import type { Argv } from '../remote/quote.js';
import { CADDY_CONTAINER } from './layout.js';

/**
 * An HTTP GET from inside the `edge` network, run in the Caddy container (its busybox wget), so it sees
 * exactly what Caddy sees. busybox `timeout` instead of `wget -T`: Debian's static busybox 1.35 segfaults on -T.
 * Headers go to stderr (-S), the body to stdout.
 */
export const probeInNetwork = (url: string, timeoutSeconds = 3, container = CADDY_CONTAINER): Argv => [
  'docker', 'exec', container, 'timeout', String(timeoutSeconds), 'wget', '-q', '-S', '-O-', url,
];

/** The final HTTP status in `wget -S` output (it follows redirects, printing each response), or null. */
export function parseWgetStatus(stderr: string): number | null {
  const statuses = [...stderr.matchAll(/^\s*HTTP\/[0-9.]+ ([0-9]{3})/gm)].map((match) => Number(match[1]));
  return statuses.at(-1) ?? null;
}

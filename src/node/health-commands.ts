/** Health checks run on the node, in the Caddy container's network: the node's side of `edge`, what Caddy itself sees. */
import type { Argv } from '../remote/quote.js';
import { inContainer } from './caddy/in-container.js';
import { CADDY_CONTAINER } from './layout.js';
import { POLL_NICENESS, reniceSelf } from './niced.js';

/**
 * Seconds between probes: the wait ends this soon after the app answers (it is part of every deploy's time), and a
 * busybox wget in Caddy's network costs little beside the load.
 */
export const HEALTH_POLL_SECONDS = '0.1';

/**
 * Polls a URL until it answers 2xx/3xx or the time is up: one remote command for the whole wait. The script is
 * constant; the URL and timeout are arguments, never spliced into it. On failure the last response or error
 * goes to stderr. busybox `timeout` wraps wget because `wget -T` crashes in some busybox builds.
 */
const HEALTH_LOOP = [
  reniceSelf(POLL_NICENESS),
  'deadline=$(( $(date +%s) + $2 ))',
  'while :; do',
  '  if out=$(timeout 3 wget -q -S -O /dev/null "$1" 2>&1); then printf "%s\\n" "$out"; exit 0; fi',
  '  if [ "$(date +%s)" -ge "$deadline" ]; then printf "%s\\n" "${out:-no answer}" >&2; exit 1; fi',
  `  sleep ${HEALTH_POLL_SECONDS}`,
  'done',
].join('\n');

export const waitHealthyInNetwork = (url: string, timeoutSeconds: number, container = CADDY_CONTAINER): Argv =>
  inContainer(container, ['sh', '-c', HEALTH_LOOP, 'sh', url, String(timeoutSeconds)]);

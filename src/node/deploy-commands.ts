/** Commands of a blue/green deploy that the generic compose/docker builders do not cover. */
import type { Argv } from '../remote/quote.js';
import type { ComposeTarget } from './compose-commands.js';
import { CADDY_CONTAINER } from './layout.js';

const compose = ({ project, files }: ComposeTarget): Argv => ['docker', 'compose', '-p', project, ...files.flatMap((file) => ['-f', file])];

/** Pull then start in one round trip: `--pull always` fetches every image before anything is recreated. */
export const composeUpPulling = (target: ComposeTarget): Argv => [...compose(target), 'up', '-d', '--remove-orphans', '--pull', 'always'];
/** Stops (SIGTERM, then the stop grace period) but keeps the containers, so a rollback can start them again. */
export const composeStop = (target: ComposeTarget): Argv => [...compose(target), 'stop'];
export const composeStart = (target: ComposeTarget): Argv => [...compose(target), 'start'];
/** Quiet validation of the merged files (exit code and errors only). */
export const composeConfigQuiet = (target: ComposeTarget): Argv => [...compose(target), 'config', '--quiet'];

/**
 * Polls a URL from inside the Caddy container (the node's side of `edge`) until it answers 2xx/3xx or the time
 * is up: one remote command for the whole wait. The script is constant; the URL and timeout are arguments,
 * never spliced into it. On failure the last response or error goes to stderr.
 */
const HEALTH_LOOP = [
  'deadline=$(( $(date +%s) + $2 ))',
  'while :; do',
  '  if out=$(timeout 3 wget -q -S -O /dev/null "$1" 2>&1); then printf "%s\\n" "$out"; exit 0; fi',
  '  if [ "$(date +%s)" -ge "$deadline" ]; then printf "%s\\n" "${out:-no answer}" >&2; exit 1; fi',
  '  sleep 0.5',
  'done',
].join('\n');

export const waitHealthyInNetwork = (url: string, timeoutSeconds: number, container = CADDY_CONTAINER): Argv => [
  'docker', 'exec', container, 'sh', '-c', HEALTH_LOOP, 'sh', url, String(timeoutSeconds),
];

/**
 * Stop the old version only once Caddy itself shows it has moved on: one remote command that finds the two
 * containers' addresses on `edge`, polls Caddy's upstream pool in Caddy's own network (in-container.ts), and then
 * runs the stop command it was given. Scripts are constant; every value is an argument, never spliced into them.
 */
import type { Argv } from '../../remote/quote.js';
import { UPSTREAMS_URL } from './caddy-upstreams.js';
import { CADDY_CONTAINER, EDGE_NETWORK } from '../layout.js';
import { ENTER_PID, requirePid } from './in-container.js';
import { DYNIA_NICENESS, POLL_NICENESS, reniceSelf } from '../niced.js';

/** Poll interval of Caddy's pool (a fork of busybox wget each time: cheap beside the load). */
export const DRAIN_POLL_SECONDS = '0.05';
/**
 * A site with no request in flight at either address for this many polls (longer than Caddy's 200 ms
 * re-resolution) has nothing to drain: the next request resolves the alias afresh.
 */
export const DRAIN_IDLE_POLLS = 5;
/** Exit code of the poll when Caddy never moved on within its time (EX_TEMPFAIL); the last answer is on stderr. */
export const DRAIN_TIMED_OUT = 75;
/** Exit code when the new container could not take the alias (nothing was waited for, nothing stopped). */
export const ALIAS_FAILED = 4;

/**
 * Runs in the Caddy container's namespaces. $1 new `ip:port`, $2 old `ip:port`, $3 seconds. Done when the new
 * address is in the pool (Caddy has re-resolved the alias since it moved) or when neither address was in it for
 * DRAIN_IDLE_POLLS polls in a row; prints `drained new|idle <polls>`.
 */
const POLL = [
  reniceSelf(POLL_NICENESS),
  'deadline=$(( $(date +%s) + $3 )); idle=0; polls=0',
  'while :; do',
  '  polls=$((polls + 1))',
  `  if out=$(wget -q -O - ${UPSTREAMS_URL} 2>&1); then`,
  '    case $out in',
  '      *"\\"address\\":\\"$1\\""*) echo "drained new $polls"; exit 0 ;;',
  '      *"\\"address\\":\\"$2\\""*) idle=0 ;;',
  `      *) idle=$((idle + 1)); if [ "$idle" -ge ${DRAIN_IDLE_POLLS} ]; then echo "drained idle $polls"; exit 0; fi ;;`,
  '    esac',
  '  else idle=0; fi',
  `  if [ "$(date +%s)" -ge "$deadline" ]; then printf '%s\\n' "$out" >&2; exit ${DRAIN_TIMED_OUT}; fi`,
  `  sleep ${DRAIN_POLL_SECONDS}`,
  'done',
].join('\n');

/**
 * Runs on the node. $1 inspect template, $2 Caddy container, $3 new container, $4 its port, $5 old container,
 * $6 its port, $7 seconds, $8 the poll script, $9 the alias the new container takes first (empty: it holds it
 * already); the rest is the command to run once drained (none: the command ends there).
 */
const HOST = [
  reniceSelf(DYNIA_NICENESS),
  // The swap itself when asked (an alias can only be given when connecting): one command from the move to the evidence.
  `[ -z "$9" ] || { docker network disconnect ${EDGE_NETWORK} "$3" && docker network connect --alias "$9" ${EDGE_NETWORK} "$3"; } || exit ${ALIAS_FAILED}`,
  // One inspect for the three, `/name=pid=address` each: Caddy's pid (the poll runs in its namespaces), the new and
  // the old address; the old version may already be gone (an earlier failure): then only the new address counts.
  'pid= new= old=none',
  'for a in $(docker inspect -f "$1" "$2" "$3" "$5" 2>/dev/null); do',
  '  n=${a%%=*}; a=${a#*=}',
  '  case $n in "/$2") pid=${a%%=*} ;; "/$3") new=${a#*=} ;; "/$5") old=${a#*=}; old=${old:-none} ;; esac',
  'done',
  '[ -n "$new" ] || { echo "$3 has no address on the network" >&2; exit 3; }',
  requirePid('$2'),
  `${ENTER_PID} sh -c "$8" sh "$new:$4" "$old:$6" "$7" || exit $?`,
  'shift 9',
  '[ $# -eq 0 ] || exec "$@"',
].join('\n');

export interface DrainTarget {
  /** Container that now holds the domain's alias, and the port Caddy dials on it. */
  next: { container: string; port: number };
  /** Container that held it before (to be stopped once drained). */
  previous: { container: string; port: number };
  timeoutSeconds: number;
  /** The alias `next` joins `edge` with first, in the same command (the swap); absent when it holds it already. */
  takeAlias?: string;
}

const inspectTemplate = (network: string) =>
  `{{.Name}}={{.State.Pid}}={{with index .NetworkSettings.Networks ${JSON.stringify(network)}}}{{.IPAddress}}{{end}}`;

/** Waits for Caddy to move on from `previous`, then runs `then` (the stop of the old version), if any. */
export const drainThen = (target: DrainTarget, then: Argv = [], caddy = CADDY_CONTAINER, network = EDGE_NETWORK): Argv => [
  'sh',
  '-c',
  HOST,
  'sh',
  inspectTemplate(network),
  caddy,
  target.next.container,
  String(target.next.port),
  target.previous.container,
  String(target.previous.port),
  String(target.timeoutSeconds),
  POLL,
  target.takeAlias ?? '',
  ...then,
];

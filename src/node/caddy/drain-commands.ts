/**
 * Stop the old version only once Caddy itself shows it has moved on: one remote command that finds the two
 * containers' addresses on `edge`, polls Caddy's upstream pool in Caddy's own network (in-container.ts), and
 * retires the old project (retire-commands.ts): its restart policy is set while the poll waits, and once drained it
 * is stopped. The command returns as soon as the old entry's process has exited (nothing can answer from it any
 * more); Docker's clean-up after it, slower than the exit under load, goes on behind a mark that the next command
 * on the project waits for. Scripts are constant; every value is an argument, never spliced into them.
 */
import type { Argv } from '../../remote/quote.js';
import { UPSTREAMS_URL } from './caddy-upstreams.js';
import { CADDY_CONTAINER, EDGE_NETWORK } from '../layout.js';
import { aliasMoveBodies, MOVE_ALIAS } from '../docker-commands.js';
import { ENTER_PID, requirePid } from './in-container.js';
import { POLL_NICENESS, reniceSelf } from '../niced.js';
import { RETIRE_FUNCTIONS, retiringMark } from '../retire-commands.js';

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
/** Exit code when the retire failed before the old entry's process ended (its error is on stderr). */
export const RETIRE_FAILED = 5;

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
 * $6 its port, $7 seconds, $8 the poll script, $9 the project to retire once drained (empty: the command ends at
 * the verdict), $10 its mark, $11 and $12 the Engine API bodies of the alias move to make first (empty: none).
 * At normal priority, unlike the deploy's start: it is short and mostly waits, and under load every moment of it
 * is the deploy's own time (at nice 10 the swap took about 120 ms longer under load, at the same p99).
 */
const HOST = [
  RETIRE_FUNCTIONS,
  // The swap itself when asked (an alias can only be given when connecting): one command from the move to the evidence.
  `[ -z "\${12}" ] || { ${MOVE_ALIAS('${11}', '${12}')}; } || exit ${ALIAS_FAILED}`,
  // One inspect for the three, `/name=pid=address` each: Caddy's pid (the poll runs in its namespaces), the new and
  // the old address and pid; the old version may already be gone (an earlier failure): then only the new address counts.
  'pid= new= old=none oldpid=0',
  'for a in $(docker inspect -f "$1" "$2" "$3" "$5" 2>/dev/null); do',
  '  n=${a%%=*}; a=${a#*=}',
  '  case $n in "/$2") pid=${a%%=*} ;; "/$3") new=${a#*=} ;; "/$5") old=${a#*=}; old=${old:-none}; oldpid=${a%%=*} ;; esac',
  'done',
  '[ -n "$new" ] || { echo "$3 has no address on the network" >&2; exit 3; }',
  requirePid('$2'),
  // The retire's first half (restart policy `no`) runs while Caddy is watched; a failed drain waits for it, and
  // whoever starts the old version again puts its policy back (reviveProject).
  'project=$9 mark=${10} prep=',
  `if [ -n "$project" ]; then mkdir -p "\${mark%/*}" && rm -f "$mark.rc" || exit ${RETIRE_FAILED}; retire_prepare "$project" "$mark.ids" 2>"$mark.err" & prep=$!; fi`,
  `${ENTER_PID} sh -c "$8" sh "$new:$4" "$old:$6" "$7" || { rc=$?; [ -z "$prep" ] || wait "$prep"; exit $rc; }`,
  '[ -n "$project" ] || exit 0',
  `wait "$prep" || { cat "$mark.err" >&2; exit ${RETIRE_FAILED}; }`,
  // The second half goes on after this command (its mark says so until it ends); this command waits only for the
  // old entry's process to exit, from then on nothing answers from the old version.
  'echo $$ >"$mark"',
  `( trap '' HUP; retire_finish "$mark.ids" 2>"$mark.err"; echo $? >"$mark.rc"; rm -f "$mark" ) </dev/null >/dev/null 2>&1 &`,
  'echo $! >"$mark"',
  'while [ "$oldpid" != 0 ] && kill -0 "$oldpid" 2>/dev/null; do',
  `  [ ! -e "$mark.rc" ] || { kill -0 "$oldpid" 2>/dev/null || break; cat "$mark.err" >&2; exit ${RETIRE_FAILED}; }`,
  '  sleep 0.02',
  'done',
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

/**
 * Waits for Caddy to move on from `previous`, then retires the compose project `retire` (its first half during
 * the wait), returning once the old entry's process has exited.
 */
export const drainThen = (target: DrainTarget, retire?: string, caddy = CADDY_CONTAINER, network = EDGE_NETWORK): Argv => [
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
  retire ?? '',
  retire ? retiringMark(retire) : '',
  ...(target.takeAlias ? aliasMoveBodies(target.next.container, target.takeAlias) : ['', '']),
];

/**
 * Stop the old version only once Caddy itself shows it has moved on and nothing is in flight at it: one remote
 * command that finds the two containers' addresses on `edge`, polls Caddy's upstream pool in Caddy's own network
 * (in-container.ts) until Caddy dials the new address, then closes the old version's door (in Caddy's network
 * namespace, its new connections to the old address are reset at once, and so is a new GET on one it keeps alive:
 * Caddy retries them on the new one, while requests in flight go on), polls until Caddy has no request in flight
 * at it, and retires the old project
 * (retire-commands.ts). So even an app that dies on SIGTERM with requests half-answered loses none. The door stays
 * shut until Caddy has forgotten the old address: once the old container has left `edge`, a dial to its vanished
 * address would wait out the dial timeout (under load, every request that picked it stalled about 60 ms as the
 * old version exited), a reset costs nothing. With the door shut the command returns once the stop has begun
 * (nothing can reach the old version any more), else once the old entry's process has exited; the stop, Docker's
 * clean-up after it and the door's removal go on behind a mark that the next command on the project waits for.
 * Scripts are constant; every value is an argument, never spliced into them.
 */
import type { Argv } from '../../remote/quote.js';
import { UPSTREAMS_URL } from './caddy-upstreams.js';
import { CADDY_CONTAINER, EDGE_NETWORK } from '../layout.js';
import { aliasMoveBodies, MOVE_ALIAS } from '../docker-commands.js';
import { RETIRE_FUNCTIONS, retiringMark } from '../retire-commands.js';
import { ENTER_PID, requirePid } from './in-container.js';
import { POLL_NICENESS, reniceSelf } from '../niced.js';

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
 * Bound on the wait for the old version's requests in flight once its door is closed. Ordinary requests end in
 * well under it; a long-lived one (a WebSocket, a stream) would hold it for ever, so after it the stop goes ahead
 * and the verdict says how many were still open.
 */
export const IN_FLIGHT_SECONDS = 5;
/**
 * Printed once both rules of the door are in: from then on no GET can reach the old version (a new connection
 * to it and a GET on a kept one are reset and retried elsewhere), so the deploy's external check may go.
 */
export const DOOR_SHUT = 'door shut';
/**
 * Printed last when the command returns with the old version's stop still going on behind its mark: its door is
 * shut (no GET can reach it) and nothing is in flight at it, so nothing waits on its exit (40–190 ms under load).
 * A stop that fails then is found by the next command's reconcile, which retires it again.
 */
export const STOPPING = 'stopping';
/** How long the door stays shut after the old version has left `edge`: Caddy's 200 ms re-resolution, and a margin. */
export const DOOR_LINGER_SECONDS = '0.5';

/**
 * The door's second rule (iptables `u32`): a TCP packet whose payload starts with `GET ` or `HEAD`, the first
 * packet of a request on a connection Caddy keeps alive. The old version stays in the alias's answer until it
 * stops, and Caddy goes on sending it new requests over its pooled connections, which a door on new connections
 * alone does not see: under keep-alive load nothing in flight at the old one came only in a lull, 0.1–0.97 s later.
 * Such a request is reset before it leaves Caddy's namespace (the old version never sees it); Go's client retries a
 * GET or HEAD on another connection and, its pool to the old address spent, dials, which the first rule resets:
 * Caddy counts a failure, marks the address down for `fail_duration` and retries on the new one. So the first GET
 * after the door turns every request to the new version, and what is in flight at the old one ends (0–0.13 s).
 * Requests in flight send no such packet (acknowledgements; a body's later packet only if it happened to begin
 * with those four bytes); other methods on kept connections still go to the old version, which serves them.
 */
export const KEPT_ALIVE_GET = '0>>22&0x3C@12>>26&0x3C@0=0x47455420,0x48454144';

/**
 * Runs in the Caddy container's namespaces. $1 what to wait for, $2 new `ip:port`, $3 old `ip:port`, $4 seconds.
 *   moved    done when the new address is in the pool (Caddy has re-resolved the alias since it moved) or when
 *            neither address was in it for DRAIN_IDLE_POLLS polls in a row; prints `drained new|idle <polls>`
 *   settled  done when Caddy has no request in flight at the old address; prints `old idle <polls>`, or after
 *            the seconds `old busy <polls> <in flight>` (exit 0: the caller stops it anyway)
 */
const POLL = [
  reniceSelf(POLL_NICENESS),
  'deadline=$(( $(date +%s) + $4 )); idle=0; polls=0; busy=',
  'while :; do',
  '  polls=$((polls + 1))',
  `  if out=$(wget -q -O - ${UPSTREAMS_URL} 2>&1); then`,
  '    case $1:$out in',
  '      moved:*"\\"address\\":\\"$2\\""*) echo "drained new $polls"; exit 0 ;;',
  '      moved:*"\\"address\\":\\"$3\\""*) idle=0 ;;',
  `      moved:*) idle=$((idle + 1)); if [ "$idle" -ge ${DRAIN_IDLE_POLLS} ]; then echo "drained idle $polls"; exit 0; fi ;;`,
  '      *"\\"address\\":\\"$3\\",\\"num_requests\\":0,"*) echo "old idle $polls"; exit 0 ;;',
  '      *"\\"address\\":\\"$3\\""*) busy=${out#*"\\"address\\":\\"$3\\",\\"num_requests\\":"}; busy=${busy%%,*} ;;',
  '      *) echo "old idle $polls"; exit 0 ;;',
  '    esac',
  '  else idle=0; fi',
  '  if [ "$(date +%s)" -ge "$deadline" ]; then',
  '    [ "$1" = moved ] || { echo "old busy $polls ${busy:-?}"; exit 0; }',
  `    printf '%s\\n' "$out" >&2; exit ${DRAIN_TIMED_OUT}`,
  '  fi',
  `  sleep ${DRAIN_POLL_SECONDS}`,
  'done',
].join('\n');

/**
 * `edge_address PID ADDRESS`: the IPv4 address PID's network namespace has in the subnet of ADDRESS (another
 * container's on the same network), read with `ip` in that namespace: right after a connect, Docker's inspect
 * under load took 40–180 ms to answer; this takes a few. Fails when there is none (or no `ip`).
 */
const EDGE_ADDRESS = [
  'ip_int() { o=$IFS; IFS=.; set -- $1; IFS=$o; n=$(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 )); }',
  'edge_address() {',
  '  [ "${1:-0}" != 0 ] && [ -n "$2" ] || return 1',
  '  ip_int "$2"; ea_ref=$n',
  '  for ea in $(nsenter -t "$1" -n ip -4 -o addr show 2>/dev/null | while read -r _ _ f a _; do [ "$f" != inet ] || echo "$a"; done); do',
  '    ip_int "${ea%/*}"; ea_mask=$(( (0xffffffff << (32 - ${ea#*/})) & 0xffffffff ))',
  '    [ $(( n & ea_mask )) != $(( ea_ref & ea_mask )) ] || { echo "${ea%/*}"; return 0; }',
  '  done',
  '  return 1',
  '}',
].join('\n');

/**
 * Runs on the node. $1 the network, $2 Caddy container, $3 new container, $4 its port, $5 old container,
 * $6 its port, $7 seconds, $8 the poll script, $9 and $10 the Engine API bodies of the alias move to make first
 * (empty: it holds the alias already), $11 the project to retire once drained, $12 its mark. Prints the poll's
 * verdicts: `drained new|idle <polls>`, then `old idle <polls>` or `old busy <polls> <in flight>` (its door was
 * closed; `door shut` before them when both its rules are in), `door open` (iptables could not close it) or
 * `old gone` (it was not running); last `stopping` when it returns with the stop begun behind the shut door.
 * At normal priority, unlike the deploy's start: it is short and mostly waits, and under load every moment of it
 * is the deploy's own time (at nice 10 the swap took about 120 ms longer under load, at the same p99).
 */
const HOST = [
  // The retire's shell functions, docker_api (the alias move's too) and the Engine API's reads among them.
  RETIRE_FUNCTIONS,
  EDGE_ADDRESS,
  'pid= new= newpid=0 caddyip= old=none oldpid=0 oldport=$6 project=${11} mark=${12} kept=',
  'mkdir -p "${mark%/*}" && rm -f "$mark.rc" "$mark.err" "$mark.seen" || exit 1',
  // The pids and the addresses the move does not change, read first by one curl and one awk (beside the move they
  // slowed it down under load; the shell's own parsing of the inspects took 50-120 ms): Caddy's (the poll runs in its
  // namespaces), the new one's pid, and the old version's (it may already be gone after an earlier failure: then
  // only the new counts).
  'docker_each "/containers/$2/json" "/containers/$3/json" "/containers/$5/json" 2>/dev/null | inspect_summary "$1" >"$mark.seen"',
  // The swap itself when asked (an alias can only be given when connecting): one command from the move to the evidence.
  `[ -z "\${10}" ] || { ${MOVE_ALIAS('$9', '${10}')}; } || exit ${ALIAS_FAILED}`,
  '{ read -r pid caddyip; read -r newpid _; read -r oldpid old; } <"$mark.seen"; rm -f "$mark.seen"; [ "${caddyip:--}" != - ] || caddyip=; [ "${old:--}" != - ] || old=none; newpid=${newpid:-0} oldpid=${oldpid:-0}',
  // The new address, from the new container's own namespace (Docker's answer lags under load), else from Docker.
  'new=$(edge_address "$newpid" "$caddyip") || { inspect_container "$3" && new=$(network_ip "$1"); }',
  '[ -n "$new" ] || { echo "$3 has no address on the network" >&2; exit 3; }',
  requirePid('$2'),
  // The door, two rules in Caddy's network namespace: its new connections to the old address are reset (the dial
  // fails at once and is retried on the other address), and so is a new GET on a connection it keeps (KEPT_ALIVE_GET;
  // without the u32 match only the first holds). Each rule is tagged with its project.
  `door() { nsenter -t "$pid" -n iptables -w "$1" OUTPUT -d "$2" -p tcp --syn --dport "$3" -m comment --comment "dynia-door:$4" -j REJECT --reject-with tcp-reset; r=$?; nsenter -t "$pid" -n iptables -w "$1" OUTPUT -d "$2" -p tcp --dport "$3" -m u32 --u32 '${KEPT_ALIVE_GET}' -m comment --comment "dynia-door:$4" -j REJECT --reject-with tcp-reset 2>/dev/null && kept=1; return $r; }`,
  // A door whose retire is not alive any more (killed before it opened it) is opened here, once for its two rules;
  // the mark holds this shell's pid from now on, so no other drain opens this one's (`-n` first: busybox's
  // `kill -0 ''` succeeds).
  `sweep() { opened=' '; nsenter -t "$pid" -n iptables -w -S OUTPUT 2>/dev/null | while read -r l; do case $l in *dynia-door:*) t=\${l##*dynia-door:}; t=\${t%%[!a-z0-9_-]*}; d=\${l#*-d }; d=\${d%%/*}; p=\${l#*--dport }; p=\${p%% *}; case $opened in *" $t:$d:$p "*) continue ;; esac; opened="$opened$t:$d:$p "; m=$(cat "\${mark%/*}/$t" 2>/dev/null); [ -n "$m" ] && kill -0 "$m" 2>/dev/null || door -D "$d" "$p" "$t" 2>/dev/null ;; esac; done; }`,
  'sweep & swept=$!',
  'echo $$ >"$mark"; quit() { rm -f "$mark"; exit "$1"; }',
  // The retire's first half (restart policy `no`) runs while Caddy is watched; a failed drain waits for it, and
  // whoever starts the old version again puts its policy back (reviveProject).
  'retire_prepare "$project" "$mark.ids" 2>"$mark.err" & prep=$!',
  `${ENTER_PID} sh -c "$8" sh moved "$new:$4" "$old:$6" "$7" || { rc=$?; wait "$prep"; quit $rc; }`,
  'wait "$swept"; shut=',
  'if [ "$oldpid" = 0 ] || [ "$old" = none ]; then echo "old gone"',
  `elif door -I "$old" "$oldport" "$project" 2>/dev/null; then shut=1; [ -z "$kept" ] || echo "${DOOR_SHUT}"; ${ENTER_PID} sh -c "$8" sh settled "$new:$4" "$old:$6" ${IN_FLIGHT_SECONDS} || { rc=$?; door -D "$old" "$oldport" "$project"; wait "$prep"; quit $rc; }`,
  'else echo "door open"; fi',
  `wait "$prep" || { cat "$mark.err" >&2; [ -z "$shut" ] || door -D "$old" "$oldport" "$project"; quit ${RETIRE_FAILED}; }`,
  // The second half goes on behind its mark (its own stdio, deaf to the session's end), the door opened once Caddy
  // has forgotten the old address. With the door shut this command returns now (STOPPING); else it waits until the
  // old entry's process has exited (or the stop has ended first, with its verdict).
  `( trap '' HUP; retire_finish "$mark.ids" 2>"$mark.err"; echo $? >"$mark.rc"; [ -z "$shut" ] || { sleep ${DOOR_LINGER_SECONDS}; door -D "$old" "$oldport" "$project"; }; rm -f "$mark" "$mark.ids" ) </dev/null >/dev/null 2>&1 &`,
  'echo $! >"$mark"',
  `[ -z "$kept" ] || [ -z "$shut" ] || { echo ${STOPPING}; exit 0; }`,
  'while [ "$oldpid" != 0 ] && kill -0 "$oldpid" 2>/dev/null && [ ! -e "$mark.rc" ]; do sleep 0.02; done',
  'while [ "$oldpid" = 0 ] && [ ! -e "$mark.rc" ]; do sleep 0.02; done',
  `[ ! -e "$mark.rc" ] || [ "$(cat "$mark.rc")" = 0 ] || { cat "$mark.err" >&2; exit ${RETIRE_FAILED}; }`,
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

/**
 * Waits for Caddy to move on from `previous` and for nothing to be in flight at it, then retires the compose
 * project `retire`, returning once the old entry's process has exited.
 */
export const drainThen = (target: DrainTarget, retire: string, caddy = CADDY_CONTAINER, network = EDGE_NETWORK): Argv => [
  'sh',
  '-c',
  HOST,
  'sh',
  network,
  caddy,
  target.next.container,
  String(target.next.port),
  target.previous.container,
  String(target.previous.port),
  String(target.timeoutSeconds),
  POLL,
  ...(target.takeAlias ? aliasMoveBodies(target.next.container, target.takeAlias) : ['', '']),
  retire,
  retiringMark(retire),
];

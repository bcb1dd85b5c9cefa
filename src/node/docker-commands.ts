import type { Argv } from '../remote/quote.js';
import { EDGE_NETWORK } from './layout.js';

/** Exit code 0 iff the network exists. */
export const networkInspect = (network = EDGE_NETWORK): Argv => ['docker', 'network', 'inspect', network];

export const networkCreate = (network = EDGE_NETWORK): Argv => ['docker', 'network', 'create', network];

/** One POST of docker_api_then's: a failing status ends the command, its body kept, each status on a line. */
const POST = `-sS --unix-socket /var/run/docker.sock -X POST -H 'Content-Type: application/json' --fail-with-body -w '%{http_code}\\n'`;

/**
 * Shell function `docker_api PATH [BODY]`: POSTs to the Engine API over its socket with curl (on every droplet
 * image); prints Docker's error to stderr and fails unless the answer is 2xx or 304 (a container already
 * stopped); `-w` appends the status, the last three characters. The few Docker calls on a swap's critical path
 * go this way, not through the docker CLI: under load the CLI's own start-up (a large Go program, at nice 10)
 * made each call 1.2–2.9 times as long as the same request by curl, 20–30 ms more (bench/docker-api.ts). Bodies
 * are JSON made here and passed as arguments, never spliced into scripts.
 */
export const DOCKER_API = [
  'docker_api() {',
  `  r=$(curl -sS --unix-socket /var/run/docker.sock -X POST -H 'Content-Type: application/json' --data-raw "\${2:-}" -w '%{http_code}' "http://docker$1") || return 1`,
  // Docker's error as its CLI prints it.
  `  case \${r#"\${r%???}"} in 2??|304) ;; *) printf '%s\\n' "\${r%???}" | sed 's/^{"message":"\\(.*\\)"}$/Error response from daemon: \\1/' >&2; return 1 ;; esac`,
  '}',
  // `docker_api_then PATH BODY PATH BODY`: the second POST once the first answered 2xx, both by one curl (under
  // load a curl's start-up is about as long as the request); Docker's error as above.
  'docker_api_then() {',
  `  r=$(curl --fail-early ${POST} --data-raw "$2" "http://docker$1" --next ${POST} --data-raw "$4" "http://docker$3") && return 0`,
  // A curl older than 7.76 knows no --fail-with-body (exit 2): one request after the other.
  '  [ $? != 2 ] || { docker_api "$1" "$2" && docker_api "$3" "$4"; return; }',
  `  printf '%s\\n' "$r" | sed -n 's/^{"message":"\\(.*\\)"}[0-9]*$/Error response from daemon: \\1/p' >&2; return 1`,
  '}',
].join('\n');

/**
 * Shell functions that read from the Engine API over its socket, for the same reason as DOCKER_API:
 *   docker_get PATH [CURL ARGS...]  GET (`--data-urlencode` arguments become the query); fails unless 2xx
 *   container_ids                   the `Id`s of a container list on stdin, one per line
 *   docker_each PATH...             GETs every path over one connection with one curl (each curl start-up costs
 *                                   about 12 ms of the node's CPU); prints one line per path, in order: the answer
 *                                   when 2xx (Docker's JSON is one line), else an empty line
 *   inspect_summary NETWORK         for each inspect line on stdin, `<pid> <address on NETWORK>` (`0 -` for none)
 *   inspect_container NAME          sets `$j` to its inspect JSON and `$cpid` to its main process (0: not running);
 *                                   fails when there is no such container
 *   network_ip NETWORK              prints the inspected container's address on NETWORK (nothing when not on it)
 * Docker's JSON has no spaces and escapes every quote inside a string, so `"Pid":` and `"<network>":{` can only
 * be the keys themselves; a network's `IPAddress` is the first after its key (IPAMConfig's is `IPv4Address`).
 */
export const DOCKER_READ = [
  `docker_get() { dg_path=$1; shift; curl -sSfG --unix-socket /var/run/docker.sock "$@" "http://docker$dg_path"; }`,
  `container_ids() { grep -o '"Id":"[0-9a-f]*"' | cut -d '"' -f 4; }`,
  // curl's write-out puts each answer's status on a line after it; awk keeps a body until its status says 2xx (the
  // shell's `read` takes a byte at a time: tens of ms for a few inspects under load).
  `docker_each() { de_n=$#; while [ "$de_n" -gt 0 ]; do set -- "$@" "http://docker$1"; shift; de_n=$((de_n - 1)); done; curl -sS --unix-socket /var/run/docker.sock -w '\\n%{http_code}\\n' "$@" | awk '/^[0-9][0-9][0-9]$/ { print (/^2/ ? b : ""); b = ""; next } $0 != "" { b = $0 }'; }`,
  // The pid and the address as inspect_container and network_ip read them, for inspect lines on stdin.
  `inspect_summary() { awk -v k="\\"$1\\":{" '{ pid = 0; ip = "-"; i = index($0, "\\"Pid\\":"); if (i) pid = substr($0, i + 6) + 0; i = index($0, k); if (i) { s = substr($0, i + length(k)); i = index(s, "\\"IPAddress\\":\\""); if (i) { s = substr(s, i + 13); s = substr(s, 1, index(s, "\\"") - 1); if (s != "") ip = s } } print pid, ip }'; }`,
  'inspect_container() { j=$(docker_get "/containers/$1/json" 2>/dev/null) || return 1; cpid=${j#*\\"Pid\\":}; cpid=${cpid%%[!0-9]*}; }',
  // By awk, not the shell's own `${j#*...}`: busybox ash matches such a pattern against every prefix, about 15 ms
  // for one inspect (6 KB), longer under load; awk's index() takes well under one.
  `network_ip() { printf '%s\\n' "$j" | inspect_summary "$1" | { read -r _ ni; [ "$ni" = - ] || printf %s "$ni"; }; }`,
].join('\n');

/** The two bodies of an alias move: leave the network, then join it again under the alias. */
export const aliasMoveBodies = (container: string, alias: string): [string, string] => [
  JSON.stringify({ Container: container, Force: false }),
  JSON.stringify({ Container: container, EndpointConfig: { Aliases: [alias] } }),
];

/** Shell text of the move; `first` and `second` are the shell words that expand to the two bodies. */
export const MOVE_ALIAS = (first: string, second: string, network = EDGE_NETWORK): string =>
  `docker_api_then /networks/${network}/disconnect "${first}" /networks/${network}/connect "${second}"`;

/** Re-joins `edge` under `alias` (an alias can only be given when connecting; Docker refuses to connect twice). */
export const moveAliasCommand = (container: string, alias: string): Argv => [
  'sh',
  '-c',
  `${DOCKER_API}\n${MOVE_ALIAS('$1', '$2')}`,
  'sh',
  ...aliasMoveBodies(container, alias),
];

/** Succeeds once the Docker daemon answers (cloud-init may still be installing it); prints the server version. */
export const dockerReady = (): Argv => ['docker', 'info', '--format', '{{.ServerVersion}}'];

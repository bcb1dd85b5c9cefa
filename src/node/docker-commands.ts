import type { Argv } from '../remote/quote.js';
import { EDGE_NETWORK } from './layout.js';

/** Exit code 0 iff the network exists. */
export const networkInspect = (network = EDGE_NETWORK): Argv => ['docker', 'network', 'inspect', network];

export const networkCreate = (network = EDGE_NETWORK): Argv => ['docker', 'network', 'create', network];

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
].join('\n');

/**
 * Shell functions that read from the Engine API over its socket, for the same reason as DOCKER_API:
 *   docker_get PATH [CURL ARGS...]  GET (`--data-urlencode` arguments become the query); fails unless 2xx
 *   container_ids                   the `Id`s of a container list on stdin, one per line
 *   inspect_container NAME          sets `$j` to its inspect JSON and `$cpid` to its main process (0: not running);
 *                                   fails when there is no such container
 *   network_ip NETWORK              prints the inspected container's address on NETWORK (nothing when not on it)
 * Docker's JSON has no spaces and escapes every quote inside a string, so `"Pid":` and `"<network>":{` can only
 * be the keys themselves; a network's `IPAddress` is the first after its key (IPAMConfig's is `IPv4Address`).
 */
export const DOCKER_READ = [
  `docker_get() { dg_path=$1; shift; curl -sSfG --unix-socket /var/run/docker.sock "$@" "http://docker$dg_path"; }`,
  `container_ids() { grep -o '"Id":"[0-9a-f]*"' | cut -d '"' -f 4; }`,
  'inspect_container() { j=$(docker_get "/containers/$1/json" 2>/dev/null) || return 1; cpid=${j#*\\"Pid\\":}; cpid=${cpid%%[!0-9]*}; }',
  'network_ip() { case $j in *"\\"$1\\":{"*) ni=${j#*"\\"$1\\":{"}; ni=${ni#*\\"IPAddress\\":\\"}; printf %s "${ni%%\\"*}" ;; esac; }',
].join('\n');

/** The two bodies of an alias move: leave the network, then join it again under the alias. */
export const aliasMoveBodies = (container: string, alias: string): [string, string] => [
  JSON.stringify({ Container: container, Force: false }),
  JSON.stringify({ Container: container, EndpointConfig: { Aliases: [alias] } }),
];

/** Shell text of the move; `first` and `second` are the shell words that expand to the two bodies. */
export const MOVE_ALIAS = (first: string, second: string, network = EDGE_NETWORK): string =>
  `docker_api /networks/${network}/disconnect "${first}" && docker_api /networks/${network}/connect "${second}"`;

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

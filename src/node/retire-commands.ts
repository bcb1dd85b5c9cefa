/**
 * A stopped version must stay down whatever its restart policy (`restart: always` would bring it back after a
 * node reboot): it is set to `no` before it is stopped, and a rollback puts the policy the file asked for (kept
 * in a label by the override) back before starting it. A stopped version also leaves `edge` (Docker keeps a
 * container's aliases across stop and start): whatever starts it again must re-join without the domain's alias,
 * which only Dynia gives back, after the health gate.
 */
import type { Argv } from '../remote/quote.js';
import { RESTART_LABEL } from '../compose/override.js';
import { chain } from './app-sync.js';
import { composeStart, type ComposeTarget } from './compose-commands.js';
import { DOCKER_API } from './docker-commands.js';
import { EDGE_NETWORK, RETIRING_DIR } from './layout.js';

/**
 * The shell functions that retire a compose project, in two halves so that a swap can run the first while it
 * waits for Caddy and leave the second running after its command returns (drain-commands.ts):
 *   retire_prepare PROJECT LIST   lists the project's containers into LIST and sets their restart policy to `no`
 *   retire_finish LIST            stops them, then takes those on `edge` off it
 *   wait_retired MARK...          waits while a MARK names a live process (a retire still going on)
 * A running retire's mark holds the pid of the process doing it; whatever touches the project's containers
 * next waits for it first. The marks are on tmpfs (/run), so a reboot clears them. Docker's stop honours the
 * stop signal and grace period compose gave each container, without compose's start-up time; the container
 * still holds the alias while it stops (Caddy retries a refused dial on the other one), and only then leaves
 * `edge`. The policy cannot be set beside the stop: Docker refuses to update a container that stops meanwhile.
 */
export const retiringMark = (project: string): string => `${RETIRING_DIR}/${project}`;

/** `docker ps` filter for the containers of the compose project named in `$1`. */
const OF_PROJECT = '--filter label=com.docker.compose.project="$1"';

export const WAIT_RETIRED =
  'wait_retired() { for m in "$@"; do while [ -e "$m" ] && kill -0 "$(cat "$m" 2>/dev/null)" 2>/dev/null; do sleep 0.05; done; done; }';

export const RETIRE_FUNCTIONS = [
  DOCKER_API,
  WAIT_RETIRED,
  'retire_prepare() {',
  `  docker ps -a ${OF_PROJECT} --format '{{.ID}}={{.Networks}}' >"$2" || return 1`,
  '  ids=; while IFS== read -r id nets; do ids="$ids $id"; done <"$2"',
  `  for id in $ids; do docker_api "/containers/$id/update" '{"RestartPolicy":{"Name":"no"}}' >/dev/null || return 1; done`,
  '}',
  'retire_finish() {',
  '  ids= onedge=',
  `  while IFS== read -r id nets; do ids="$ids $id"; case ",$nets," in *,${EDGE_NETWORK},*) onedge="$onedge $id" ;; esac; done <"$1"`,
  '  rm -f "$1"',
  // Stopped at once, each waited for; leaving edge is no longer on anyone's path (the docker CLI will do).
  '  p=; for id in $ids; do docker_api "/containers/$id/stop" >/dev/null & p="$p $!"; done',
  '  for x in $p; do wait "$x" || return 1; done',
  `  for c in $onedge; do docker network disconnect ${EDGE_NETWORK} "$c" || return 1; done`,
  '}',
].join('\n');

/** Runs argv once a retire still going on for the project has ended. */
export const afterRetire = (project: string, argv: Argv): Argv => [
  'sh',
  '-c',
  `${WAIT_RETIRED}\nwait_retired "$1"; shift; exec "$@"`,
  'sh',
  retiringMark(project),
  ...argv,
];

/** $1 project, $2 its mark: after any retire still going on, both halves at once. */
const RETIRE = [
  RETIRE_FUNCTIONS,
  'wait_retired "$2"',
  'list=$(mktemp) || exit 1',
  'retire_prepare "$1" "$list" && retire_finish "$list"; rc=$?; rm -f "$list"; exit $rc',
].join('\n');

const RESTORE_RESTART = [
  WAIT_RETIRED,
  'wait_retired "$2"',
  `for c in $(docker ps -aq ${OF_PROJECT}); do`,
  `  p=$(docker inspect -f '{{index .Config.Labels "${RESTART_LABEL}"}}' "$c")`,
  '  docker update --restart="${p:-unless-stopped}" "$c" >/dev/null',
  'done',
].join('\n');

/** Restart policy `no` on every container of the project, stop them (kept for a rollback), then off `edge`. */
export const retireProject = (target: ComposeTarget): Argv => ['sh', '-c', RETIRE, 'sh', target.project, retiringMark(target.project)];

/** The file's restart policies back on every container of the project, then `compose start`. */
export const reviveProject = (target: ComposeTarget): Argv =>
  chain(['sh', '-c', RESTORE_RESTART, 'sh', target.project, retiringMark(target.project)], composeStart(target));

/** Seconds between Docker health reads (a docker CLI run each: coarser than the HTTP probe's). */
export const DOCKER_HEALTH_POLL_SECONDS = '0.2';

/** Waits until Docker reports the container `healthy` (its compose healthcheck); exits 1 on `unhealthy` or timeout. */
const DOCKER_HEALTH_LOOP = [
  'deadline=$(( $(date +%s) + $2 ))',
  'while :; do',
  `  s=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1" 2>/dev/null || echo missing)`,
  '  case $s in healthy|none) exit 0 ;; unhealthy) echo "docker healthcheck: unhealthy" >&2; exit 1 ;; esac',
  '  if [ "$(date +%s)" -ge "$deadline" ]; then echo "docker healthcheck: still $s" >&2; exit 1; fi',
  `  sleep ${DOCKER_HEALTH_POLL_SECONDS}`,
  'done',
].join('\n');

export const waitDockerHealthy = (container: string, timeoutSeconds: number): Argv => [
  'sh',
  '-c',
  DOCKER_HEALTH_LOOP,
  'sh',
  container,
  String(timeoutSeconds),
];

/** Joins `edge` reachable by its container name only, whatever it was joined with before (an older Dynia left aliases). */
export const joinEdgeWithoutAlias = (container: string): Argv => [
  'sh',
  '-c',
  `docker network disconnect ${EDGE_NETWORK} "$1" >/dev/null 2>&1; docker network connect ${EDGE_NETWORK} "$1"`,
  'sh',
  container,
];

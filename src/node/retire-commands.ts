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
import { EDGE_NETWORK } from './layout.js';

/** `docker ps` filter for the containers of the compose project named in `$1`. */
const OF_PROJECT = '--filter label=com.docker.compose.project="$1"';
const IN_PROJECT = `docker ps -aq ${OF_PROJECT}`;

/**
 * Docker's stop honours the stop signal and grace period compose gave each container, without compose's start-up
 * time; it stops while the container still holds the alias (Caddy retries a refused dial on the other one), and
 * only then does the container leave `edge`. One `ps` lists the project's containers with their networks. The
 * policy cannot be set beside the stop: Docker refuses to update a container that stops meanwhile. The policy and
 * the stops (all at once) go to the Engine API (docker-commands.ts); leaving edge, off the traffic's path, by the CLI.
 */
const RETIRE = [
  DOCKER_API,
  'ids= onedge=',
  `for c in $(docker ps -a ${OF_PROJECT} --format '{{.ID}}={{.Networks}}'); do`,
  `  ids="$ids \${c%%=*}"; case ",\${c#*=}," in *,${EDGE_NETWORK},*) onedge="$onedge \${c%%=*}" ;; esac`,
  'done',
  `for id in $ids; do docker_api "/containers/$id/update" '{"RestartPolicy":{"Name":"no"}}' >/dev/null || exit 1; done`,
  'p=; for id in $ids; do docker_api "/containers/$id/stop" >/dev/null & p="$p $!"; done',
  'for x in $p; do wait "$x" || exit 1; done',
  `for c in $onedge; do docker network disconnect ${EDGE_NETWORK} "$c" || exit 1; done`,
].join('\n');

const RESTORE_RESTART = [
  `for c in $(${IN_PROJECT}); do`,
  `  p=$(docker inspect -f '{{index .Config.Labels "${RESTART_LABEL}"}}' "$c")`,
  '  docker update --restart="${p:-unless-stopped}" "$c" >/dev/null',
  'done',
].join('\n');

/** Restart policy `no` on every container of the project, stop them (kept for a rollback), then off `edge`. */
export const retireProject = (target: ComposeTarget): Argv => ['sh', '-c', RETIRE, 'sh', target.project];

/** The file's restart policies back on every container of the project, then `compose start`. */
export const reviveProject = (target: ComposeTarget): Argv =>
  chain(['sh', '-c', RESTORE_RESTART, 'sh', target.project], composeStart(target));

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

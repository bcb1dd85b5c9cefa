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
import { DOCKER_API, DOCKER_READ } from './docker-commands.js';
import { EDGE_NETWORK, RETIRING_DIR } from './layout.js';

/** `docker ps` filter for the containers of the compose project named in `$1`. */
const OF_PROJECT = '--filter label=com.docker.compose.project="$1"';

/**
 * Shell functions that retire a compose project, in two halves so that a swap can run the first while it waits
 * for Caddy (drain-commands.ts):
 *   retire_prepare PROJECT LIST   lists the project's containers, with their networks, into LIST and sets their
 *                                 restart policy to `no`
 *   retire_finish LIST            stops them all at once, then takes those on `edge` off it
 *   retire PROJECT                both
 * Docker's stop honours the stop signal and grace period compose gave each container, without compose's start-up
 * time; it stops while the container still holds the alias (Caddy retries a refused dial on the other one), and
 * only then does the container leave `edge`. The policy cannot be set beside the stop: Docker refuses to update a
 * container that stops meanwhile. Every call goes to the Engine API (docker-commands.ts).
 */
export const RETIRE_FUNCTIONS = [
  DOCKER_API,
  DOCKER_READ,
  // `<id> edge` or `<id> -` per container: the project's containers, and which of them are on `edge`.
  'retire_prepare() {',
  `  rp_label='{"label":["com.docker.compose.project='"$1"'"]' rp_edge=',"network":["${EDGE_NETWORK}"]'`,
  '  rp_all=$(docker_get /containers/json --data-urlencode all=1 --data-urlencode "filters=$rp_label}") || return 1',
  '  rp_on=$(docker_get /containers/json --data-urlencode all=1 --data-urlencode "filters=$rp_label$rp_edge}") || return 1',
  '  rp_on=" $(printf %s "$rp_on" | container_ids | tr "\\n" " ") "',
  '  printf %s "$rp_all" | container_ids | while read -r id; do case $rp_on in *" $id "*) echo "$id edge" ;; *) echo "$id -" ;; esac; done >"$2"',
  `  while read -r id nets; do docker_api "/containers/$id/update" '{"RestartPolicy":{"Name":"no"}}' >/dev/null || return 1; done <"$2"`,
  '}',
  'retire_finish() {',
  '  p=; while read -r id nets; do docker_api "/containers/$id/stop" >/dev/null & p="$p $!"; done <"$1"',
  '  for x in $p; do wait "$x" || return 1; done',
  `  while read -r id nets; do [ "$nets" != edge ] || docker_api /networks/${EDGE_NETWORK}/disconnect "$(printf '{"Container":"%s"}' "$id")" >/dev/null || return 1; done <"$1"`,
  '}',
  'retire() { l=$(mktemp) || return 1; retire_prepare "$1" "$l" && retire_finish "$l"; r=$?; rm -f "$l"; return $r; }',
].join('\n');

/**
 * A swap's retire goes on after its command returns (drain-commands.ts) under a mark, a file that holds the pid
 * doing it; whatever touches the project's containers next waits for it first (`wait_retired MARK...`), for a
 * minute at most per mark (a retire killed before it removed its mark, and its pid reused since, must not hold
 * the node's commands for ever; what is read after is reconciled as usual). The marks are on tmpfs (/run), so a
 * reboot clears them.
 */
export const retiringMark = (project: string): string => `${RETIRING_DIR}/${project}`;

export const WAIT_RETIRED =
  'wait_retired() { for m in "$@"; do d=$(( $(date +%s) + 60 )); while [ -e "$m" ] && kill -0 "$(cat "$m" 2>/dev/null)" 2>/dev/null && [ "$(date +%s)" -lt "$d" ]; do sleep 0.05; done; done; }';

const RETIRE = [RETIRE_FUNCTIONS, WAIT_RETIRED, 'wait_retired "$2"', 'retire "$1"'].join('\n');

/**
 * $1 project, $2 its mark, $3 its entry container: after any retire still going on, the entry joins `edge`
 * reachable by its container name only (whatever it was joined with before: an older Dynia left aliases), and the
 * file's restart policies are put back.
 */
const REVIVE = [
  WAIT_RETIRED,
  'wait_retired "$2"',
  `docker network disconnect ${EDGE_NETWORK} "$3" >/dev/null 2>&1; docker network connect ${EDGE_NETWORK} "$3" || exit $?`,
  `for c in $(docker ps -aq ${OF_PROJECT}); do`,
  `  p=$(docker inspect -f '{{index .Config.Labels "${RESTART_LABEL}"}}' "$c")`,
  '  docker update --restart="${p:-unless-stopped}" "$c" >/dev/null',
  'done',
].join('\n');

/** Restart policy `no` on every container of the project, stop them (kept for a rollback), then off `edge`. */
export const retireProject = (target: ComposeTarget): Argv => ['sh', '-c', RETIRE, 'sh', target.project, retiringMark(target.project)];

/** A retired project back: `entry` on `edge` without the alias, the file's restart policies, then `compose start`. */
export const reviveProject = (target: ComposeTarget, entry: string): Argv =>
  chain(['sh', '-c', REVIVE, 'sh', target.project, retiringMark(target.project), entry], composeStart(target));

/** Runs argv once a retire still going on for the project has ended. */
export const afterRetire = (project: string, argv: Argv): Argv => [
  'sh',
  '-c',
  `${WAIT_RETIRED}\nwait_retired "$1"; shift; exec "$@"`,
  'sh',
  retiringMark(project),
  ...argv,
];

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

/**
 * A stopped version must stay down whatever its restart policy (`restart: always` would bring it back after a
 * node reboot, still holding the domain's alias): it is set to `no` before it is stopped, and a rollback puts the
 * policy the file asked for (kept in a label by the override) back before starting it.
 */
import type { Argv } from '../remote/quote.js';
import { RESTART_LABEL } from '../compose/override.js';
import { chain } from './app-sync.js';
import { composeStart, type ComposeTarget } from './compose-commands.js';

const IN_PROJECT = 'docker ps -aq --filter label=com.docker.compose.project="$1"';

/** `docker stop` honours the stop signal and grace period compose gave each container, without compose's start-up time. */
const RETIRE = `ids=$(${IN_PROJECT}); [ -z "$ids" ] || { docker update --restart=no $ids >/dev/null && docker stop $ids >/dev/null; }`;

const RESTORE_RESTART = [
  `for c in $(${IN_PROJECT}); do`,
  `  p=$(docker inspect -f '{{index .Config.Labels "${RESTART_LABEL}"}}' "$c")`,
  '  docker update --restart="${p:-unless-stopped}" "$c" >/dev/null',
  'done',
].join('\n');

/** Restart policy `no` on every container of the project, then stop them (kept for a rollback). */
export const retireProject = (target: ComposeTarget): Argv => ['sh', '-c', RETIRE, 'sh', target.project];

/** The file's restart policies back on every container of the project, then `compose start`. */
export const reviveProject = (target: ComposeTarget): Argv => chain(['sh', '-c', RESTORE_RESTART, 'sh', target.project], composeStart(target));

/** Waits until Docker reports the container `healthy` (its compose healthcheck); exits 1 on `unhealthy` or timeout. */
const DOCKER_HEALTH_LOOP = [
  'deadline=$(( $(date +%s) + $2 ))',
  'while :; do',
  `  s=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1" 2>/dev/null || echo missing)`,
  '  case $s in healthy|none) exit 0 ;; unhealthy) echo "docker healthcheck: unhealthy" >&2; exit 1 ;; esac',
  '  if [ "$(date +%s)" -ge "$deadline" ]; then echo "docker healthcheck: still $s" >&2; exit 1; fi',
  '  sleep 0.5',
  'done',
].join('\n');

export const waitDockerHealthy = (container: string, timeoutSeconds: number): Argv => ['sh', '-c', DOCKER_HEALTH_LOOP, 'sh', container, String(timeoutSeconds)];

/**
 * Runs a command in a container's network and mount namespaces (its addresses and DNS, its binaries): what
 * `docker exec` does, without runc starting a process inside the container, which costs about 100 ms and more
 * under load, CPU taken from the apps during a deploy. The command stays a child of the SSH session, so it ends
 * with it. `nsenter` is util-linux's (busybox's on minimal hosts); both take these flags.
 */
import type { Argv } from '../../remote/quote.js';
import { DOCKER_READ } from '../docker-commands.js';

/** Shell text that enters the namespaces of the process whose pid is in `$pid` (from the container's inspect). */
export const ENTER_PID = 'nsenter -t "$pid" -m -n';

/** Exit code when the container is not running (no pid to enter). */
const NOT_RUNNING = 3;

/** Shell line that stops with NOT_RUNNING unless `$pid` is a running process; `who` is shell text naming the container. */
export const requirePid = (who: string): string => `[ "\${pid:-0}" != 0 ] || { echo "${who} is not running" >&2; exit ${NOT_RUNNING}; }`;

const IN_CONTAINER = [DOCKER_READ, 'pid=; inspect_container "$1" && pid=$cpid', requirePid('$1'), 'shift', `exec ${ENTER_PID} "$@"`].join(
  '\n',
);

export const inContainer = (container: string, argv: Argv): Argv => ['sh', '-c', IN_CONTAINER, 'sh', container, ...argv];

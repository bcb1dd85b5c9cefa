/** `docker compose logs` for app:logs, including a follow that ends when the client goes away. */
import type { Argv } from '../remote/quote.js';
import { compose, type ComposeTarget } from './compose-commands.js';

export interface LogOptions {
  /** One service, or every service of the project. */
  service?: string;
  /** Lines of history per container; undefined: all of it. */
  tail?: number;
  follow: boolean;
}

/**
 * Without a terminal, sshd does not signal a command when the client disconnects, and `logs -f` of a quiet
 * app would linger until its next line. So a follow runs beside a watcher of stdin: the client closing the
 * channel (or sending EOF) ends it. It runs in its own process group (setsid) and the whole group is
 * signalled: the docker CLI ignores SIGTERM while a plugin (compose) runs. The script is constant; the compose
 * argv comes as arguments.
 */
const UNTIL_STDIN_CLOSES = [
  'exec 3<&0',
  'setsid "$@" & pid=$!',
  '( cat <&3 >/dev/null 2>&1; kill -TERM "-$pid" 2>/dev/null ) >/dev/null 2>&1 &',
  'exec 3<&-',
  'wait "$pid"',
].join('\n');

export function composeLogsCommand(target: ComposeTarget, options: LogOptions): Argv {
  const logs = [
    ...compose(target),
    'logs',
    ...(options.tail === undefined ? [] : ['--tail', String(options.tail)]),
    ...(options.follow ? ['--follow'] : []),
    ...(options.service ? [options.service] : []),
  ];
  return options.follow ? ['sh', '-c', UNTIL_STDIN_CLOSES, 'sh', ...logs] : logs;
}

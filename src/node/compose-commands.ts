import type { Argv } from '../remote/quote.js';

/** A compose project on the node: its name and its files in merge order (app file, then Dynia's override). */
export interface ComposeTarget {
  project: string;
  files: readonly string[];
  /** Where relative paths resolve (the project's copy of the app directory). */
  projectDirectory?: string;
  /** The variables the files are interpolated with. */
  envFile?: string;
}

/** Where Ubuntu's docker-compose-v2 package (what node:create installs) and Docker's own plugin package put Compose. */
export const COMPOSE_PLUGIN = '/usr/libexec/docker/cli-plugins/docker-compose';

/**
 * Compose runs as its own program where it is installed as above, else as `docker compose`: through the docker
 * CLI, every call also starts the CLI and runs the plugin once more for its metadata, two more Go start-ups that
 * cost about 65 ms of CPU per call on a node that is serving (measured in the sandbox: 110 against 45 ms).
 */
export const RUN_COMPOSE = `[ -x ${COMPOSE_PLUGIN} ] && exec ${COMPOSE_PLUGIN} "$@"; exec docker compose "$@"`;

/** `docker compose -p <project> [--project-directory d] [--env-file f] -f <file>...`, the start of every compose command. */
export const compose = ({ project, files, projectDirectory, envFile }: ComposeTarget): Argv => [
  'sh',
  '-c',
  RUN_COMPOSE,
  // $0, what the shell names in its own errors; it also keeps `docker compose -p` readable in the argv.
  'docker compose',
  '-p',
  project,
  ...(projectDirectory === undefined ? [] : ['--project-directory', projectDirectory]),
  ...(envFile === undefined ? [] : ['--env-file', envFile]),
  ...files.flatMap((file) => ['-f', file]),
];

export const composePull = (target: ComposeTarget): Argv => [...compose(target), 'pull'];
export const composeUp = (target: ComposeTarget): Argv => [...compose(target), 'up', '-d', '--remove-orphans'];
export const composeStart = (target: ComposeTarget): Argv => [...compose(target), 'start'];
export const composeDown = (target: ComposeTarget): Argv => [...compose(target), 'down'];
/** Every container of the project, stopped ones included, one JSON object per line (see parseComposePs). */
export const composePsAll = (target: ComposeTarget): Argv => [...compose(target), 'ps', '--all', '--format', 'json'];
export const composeLogs = (target: ComposeTarget, service: string, tail = 50): Argv => [
  ...compose(target),
  'logs',
  '--tail',
  String(tail),
  service,
];

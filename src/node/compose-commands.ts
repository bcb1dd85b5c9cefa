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

/** `docker compose -p <project> [--project-directory d] [--env-file f] -f <file>...`, the start of every compose command. */
export const compose = ({ project, files, projectDirectory, envFile }: ComposeTarget): Argv => [
  'docker',
  'compose',
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

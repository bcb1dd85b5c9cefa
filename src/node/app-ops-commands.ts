/** Commands of app:exec, the release step and app:remove (pure argv builders). */
import type { Argv } from '../remote/quote.js';
import { compose, type ComposeTarget } from './compose-commands.js';

/** A command in the service's running container; `-t` only when the user has a terminal. */
export const execInContainer = (container: string, argv: Argv, tty: boolean): Argv => ['docker', 'exec', '-i', ...(tty ? ['-t'] : []), container, ...argv];

/**
 * A fresh one-off container of a project's service (`compose run`): `--no-deps` so no dependency is started a
 * second time (a database must never run twice), `--rm` so nothing is left behind, `-T` without a terminal.
 */
export const runOneOff = (target: ComposeTarget, service: string, argv: Argv, tty: boolean): Argv => [
  ...compose(target), 'run', '--rm', '--no-deps', ...(tty ? [] : ['-T']), service, ...argv,
];

/** Stops and removes a project's containers and networks by its name alone (its files may be gone). */
export const composeDownProject = (project: string, volumes: boolean): Argv => [
  'docker', 'compose', '-p', project, 'down', '--remove-orphans', ...(volumes ? ['--volumes'] : []),
];

/** The named volumes a project created (kept by a remove without --volumes; listed so the output can say so). */
export const projectVolumes = (project: string): Argv => [
  'docker', 'volume', 'ls', '--quiet', '--filter', `label=com.docker.compose.project=${project}`,
];

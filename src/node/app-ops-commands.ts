/** Commands of app:exec, the release step and app:remove (pure argv builders). */
import type { Argv } from '../remote/quote.js';
import { compose, type ComposeTarget } from './compose-commands.js';

/** A command in the service's running container; `-t` only when the user has a terminal. */
export const execInContainer = (container: string, argv: Argv, tty: boolean): Argv => [
  'docker',
  'exec',
  '-i',
  ...(tty ? ['-t'] : []),
  container,
  ...argv,
];

/**
 * A fresh one-off container of a project's service (`compose run`): `--no-deps` so no dependency is started a
 * second time (a database must never run twice), `--rm` so nothing is left behind, `-T` without a terminal.
 */
export const runOneOff = (target: ComposeTarget, service: string, argv: Argv, tty: boolean): Argv => [
  ...compose(target),
  'run',
  '--rm',
  '--no-deps',
  ...(tty ? [] : ['-T']),
  service,
  ...argv,
];

/** Stops and removes a project's containers and networks by its name alone (its files may be gone). */
export const composeDownProject = (project: string, volumes: boolean): Argv => [
  'docker',
  'compose',
  '-p',
  project,
  'down',
  '--remove-orphans',
  ...(volumes ? ['--volumes'] : []),
];

/** Every volume, every network, then whether the directory exists: what app:remove may have to clean up. */
const INVENTORY = 'docker volume ls --quiet; echo ---; docker network ls --format "{{.Name}}"; echo ---; [ ! -d "$1" ] || echo "$1"';
export const nodeInventory = (dataDir: string): Argv => ['sh', '-c', INVENTORY, 'sh', dataDir];

export function parseInventory(stdout: string): { volumes: string[]; networks: string[]; dataDir: boolean } {
  const [volumes = '', networks = '', dir = ''] = stdout.split('---\n');
  const lines = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  return { volumes: lines(volumes), networks: lines(networks), dataDir: lines(dir).length > 0 };
}

export const volumeRemove = (names: readonly string[]): Argv => ['docker', 'volume', 'rm', ...names];
export const networkRemove = (names: readonly string[]): Argv => ['docker', 'network', 'rm', ...names];

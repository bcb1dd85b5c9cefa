import type { Argv } from '../remote/quote.js';

/** A compose project on the node: its name and its files in merge order (app file, then Dynia's override). */
export interface ComposeTarget {
  project: string;
  files: readonly string[];
}

const compose = ({ project, files }: ComposeTarget): Argv => [
  'docker', 'compose', '-p', project, ...files.flatMap((file) => ['-f', file]),
];

/** Validates the merged files on the node's own compose version and prints the result. */
export const composeConfig = (target: ComposeTarget): Argv => [...compose(target), 'config'];
export const composePull = (target: ComposeTarget): Argv => [...compose(target), 'pull'];
export const composeUp = (target: ComposeTarget): Argv => [...compose(target), 'up', '-d', '--remove-orphans'];
export const composeDown = (target: ComposeTarget): Argv => [...compose(target), 'down'];
/** One JSON object per line (compose ≥2.21) or one JSON array (older); see parseComposePs. */
export const composePs = (target: ComposeTarget): Argv => [...compose(target), 'ps', '--format', 'json'];
export const composeLogs = (target: ComposeTarget, service: string, tail = 50): Argv => [
  ...compose(target), 'logs', '--tail', String(tail), service,
];

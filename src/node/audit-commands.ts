/** The node's audit log: appended to and read by constant scripts; the path and data are never spliced into them. */
import type { Argv } from '../remote/quote.js';
import { LAYOUT } from './layout.js';

/** Appends stdin to the file (one round trip; `>>` creates it). Pass the line as `stdin`. */
export const appendStdin = (path: string = LAYOUT.auditLog): Argv => ['sh', '-c', 'cat >> "$1"', 'sh', path];

/** The last `lines` lines of the file; no output (and success) when it does not exist yet. */
export const tailIfExists = (lines: number, path: string = LAYOUT.auditLog): Argv => [
  'sh',
  '-c',
  '[ -e "$1" ] || exit 0; exec tail -n "$2" "$1"',
  'sh',
  path,
  String(lines),
];

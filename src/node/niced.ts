/**
 * Dynia's heavy processes on a node yield the CPU to the apps it serves: while the new version builds and starts
 * the load is still on the old one and Caddy, and compose and the polling loops need not compete. The swap's own
 * short command is the exception (drain-commands.ts). `renice` exists in busybox and util-linux alike (busybox
 * images have no `nice`).
 */
import type { Argv } from '../remote/quote.js';

/** Niceness of Dynia's commands on a node (19 is the lowest priority; loops that mostly sleep use it). */
export const DYNIA_NICENESS = 10;
export const POLL_NICENESS = 19;

/** Shell line that lowers the priority of the running shell (and what it execs); quiet if renice is missing. */
export const reniceSelf = (niceness: number): string => `renice -n ${Math.trunc(niceness)} -p $$ >/dev/null 2>&1`;

/** Runs argv at lower CPU priority: a constant wrapper, argv as its arguments. */
export const niced = (argv: Argv, niceness = DYNIA_NICENESS): Argv => ['sh', '-c', `${reniceSelf(niceness)}; exec "$@"`, 'sh', ...argv];

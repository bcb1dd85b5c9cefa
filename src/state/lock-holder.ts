/**
 * Who holds the state lock, and whether that holder can still be running. A pid alone is not enough: after a
 * kill the pid can be reused by an unrelated process, and after a reboot every pid is someone else's. So a
 * holder also records its boot id and its process start time (Linux /proc); a live pid with another start
 * time, or any pid from another boot, is a dead holder. A holder on another host cannot be checked from here.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
  /** /proc/sys/kernel/random/boot_id of the holder's machine (Linux). */
  bootId?: string;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot at which the holder started (Linux). */
  procStart?: string;
}

/** alive: that very process runs; dead: it cannot be running (safe to take over); unknown: another host. */
export type Liveness = { verdict: 'alive' | 'dead' | 'unknown'; why: string };

/** What the lock needs from the machine, replaceable in tests. */
export interface HostProbe {
  hostname(): string;
  bootId(): string | undefined;
  /** The process's start time, undefined when no such process (or no /proc). */
  procStart(pid: number): string | undefined;
  /** kill(pid, 0): the fallback without /proc. */
  pidExists(pid: number): boolean;
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

export const realHost: HostProbe = {
  hostname,
  bootId: () => readText('/proc/sys/kernel/random/boot_id')?.trim() || undefined,
  procStart(pid) {
    const stat = readText(`/proc/${pid}/stat`);
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
    return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  },
  pidExists(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, belongs to another user
    }
  },
};

export function describeMe(command: string, host: HostProbe, now: Date): LockHolder {
  const bootId = host.bootId();
  const procStart = host.procStart(process.pid);
  return {
    pid: process.pid,
    host: host.hostname(),
    command,
    startedAt: now.toISOString(),
    ...(bootId ? { bootId } : {}),
    ...(procStart ? { procStart } : {}),
  };
}

export function liveness(holder: LockHolder, host: HostProbe): Liveness {
  if (holder.host !== host.hostname()) {
    return { verdict: 'unknown', why: `it runs on another machine (${holder.host}), so whether it still runs cannot be checked from here` };
  }
  const bootId = host.bootId();
  if (holder.bootId && bootId && holder.bootId !== bootId) return { verdict: 'dead', why: 'this machine has rebooted since' };
  if (holder.procStart !== undefined && bootId !== undefined) {
    const start = host.procStart(holder.pid);
    if (start === undefined) return { verdict: 'dead', why: `pid ${holder.pid} no longer runs` };
    if (start !== holder.procStart)
      return { verdict: 'dead', why: `pid ${holder.pid} no longer runs (the pid now belongs to another process)` };
    return { verdict: 'alive', why: `pid ${holder.pid} is still running on this machine` };
  }
  return host.pidExists(holder.pid)
    ? { verdict: 'alive', why: `pid ${holder.pid} is still running on this machine` }
    : { verdict: 'dead', why: `pid ${holder.pid} no longer runs` };
}

export function parseHolder(text: string): LockHolder | undefined {
  try {
    const data = JSON.parse(text) as Partial<LockHolder>;
    if (
      typeof data.pid === 'number' &&
      typeof data.host === 'string' &&
      typeof data.command === 'string' &&
      typeof data.startedAt === 'string'
    ) {
      return data as LockHolder;
    }
  } catch {
    // Falls through: an unreadable holder.
  }
  return undefined;
}

export const describeHolder = (holder: LockHolder) =>
  `pid ${holder.pid} on ${holder.host} running "${holder.command}" since ${holder.startedAt}`;

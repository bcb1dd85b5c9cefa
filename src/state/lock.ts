/**
 * An exclusive lock file (created with O_EXCL) naming its holder, so two Dynia runs never interleave
 * state changes. A lock left by a dead process on this host is taken over; any other holder is waited for
 * briefly and then reported.
 */
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { StateError } from '../errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export interface LockOptions {
  /** How long to wait for another holder before failing (ms). */
  waitMs: number;
  pollMs: number;
}

/** A lock file with no readable holder is a crash between create and write; after this long it is stale. */
const UNREADABLE_GRACE_MS = 2000;

export async function acquireLock(lockPath: string, command: string, options: LockOptions): Promise<() => Promise<void>> {
  const mine: LockHolder = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  const mineText = JSON.stringify(mine);
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    if (await tryCreate(lockPath, mineText)) return () => releaseIfMine(lockPath, mineText);
    const current = await readHolder(lockPath);
    if (current === 'gone') continue;
    if (await isStale(lockPath, current)) {
      await removeStale(lockPath, current);
      continue;
    }
    if (Date.now() >= deadline) throw lockedError(lockPath, current);
    await new Promise((done) => setTimeout(done, options.pollMs));
  }
}

async function tryCreate(lockPath: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw StateError(`Cannot create the state lock ${lockPath}: ${(error as Error).message}`);
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

type Holder = { text: string; holder: LockHolder | undefined };

async function readHolder(lockPath: string): Promise<Holder | 'gone'> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  return { text, holder: parseHolder(text) };
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const data = JSON.parse(text) as Partial<LockHolder>;
    if (typeof data.pid === 'number' && typeof data.host === 'string' && typeof data.command === 'string' && typeof data.startedAt === 'string') {
      return data as LockHolder;
    }
  } catch {
    // Falls through: an unreadable holder.
  }
  return undefined;
}

async function isStale(lockPath: string, current: Holder): Promise<boolean> {
  if (current.holder === undefined) {
    const age = await stat(lockPath).then((info) => Date.now() - info.mtimeMs, () => 0);
    return age > UNREADABLE_GRACE_MS;
  }
  return current.holder.host === hostname() && !isAlive(current.holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves the stale lock aside and checks that what moved is the stale lock: if another process took it over
 * in between, its live lock is put back (link fails if yet another one has appeared meanwhile).
 */
async function removeStale(lockPath: string, stale: Holder): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readFile(aside, 'utf8');
  if (moved !== stale.text) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside);
}

async function releaseIfMine(lockPath: string, mineText: string): Promise<void> {
  const current = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (current === mineText) await unlink(lockPath);
}

function lockedError(lockPath: string, current: Holder) {
  const who = current.holder
    ? `pid ${current.holder.pid} on ${current.holder.host} running "${current.holder.command}" since ${current.holder.startedAt}`
    : 'a process that has not written its name yet';
  return StateError(
    `The state is locked by ${who}.`,
    `Wait for it to finish and retry. If that process is gone (e.g. on another machine), delete ${lockPath}.`,
  );
}

/**
 * An exclusive lock file (created with O_EXCL) naming its holder, so two Dynia runs never interleave
 * state changes. A lock whose holder cannot be running any more (killed, crashed, rebooted; see
 * lock-holder.ts) is taken over and said so; a live holder, or one on another machine, is waited for briefly
 * and then reported, saying which of the two it is.
 */
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { StateError } from '../errors.js';
import {
  describeHolder,
  describeMe,
  liveness,
  parseHolder,
  realHost,
  type HostProbe,
  type LockHolder,
  type Liveness,
} from './lock-holder.js';

export type { LockHolder } from './lock-holder.js';

export interface LockOptions {
  /** How long to wait for another holder before failing (ms). */
  waitMs: number;
  pollMs: number;
  /** Told when a dead holder's lock is taken over (e.g. the reporter's warn). */
  onTakeover?: (message: string) => void;
  /** The machine's identity and processes (tests replace it). */
  host?: HostProbe;
}

/** A lock file with no readable holder is a crash between create and write; after this long it is stale. */
const UNREADABLE_GRACE_MS = 2000;

export async function acquireLock(lockPath: string, command: string, options: LockOptions): Promise<() => Promise<void>> {
  const host = options.host ?? realHost;
  const mineText = JSON.stringify(describeMe(command, host, new Date()));
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    if (await tryCreate(lockPath, mineText)) return () => releaseIfMine(lockPath, mineText);
    const current = await readHolder(lockPath);
    if (current === 'gone') continue;
    const verdict = await judge(lockPath, current, host);
    if (verdict.verdict === 'dead') {
      if (await removeStale(lockPath, current)) options.onTakeover?.(takeoverMessage(current, verdict));
      continue;
    }
    if (Date.now() >= deadline) throw lockedError(lockPath, current, verdict);
    await new Promise((done) => setTimeout(done, options.pollMs));
  }
}

async function tryCreate(lockPath: string, text: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
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

async function judge(lockPath: string, current: Holder, host: HostProbe): Promise<Liveness> {
  if (current.holder) return liveness(current.holder, host);
  const age = await stat(lockPath).then(
    (info) => Date.now() - info.mtimeMs,
    () => 0,
  );
  return age > UNREADABLE_GRACE_MS
    ? { verdict: 'dead', why: `its holder never wrote its name and the file is ${Math.round(age / 1000)} s old` }
    : { verdict: 'alive', why: 'a process that has not written its name yet' };
}

/**
 * Moves the stale lock aside and checks that what moved is the stale lock: if another process took it over
 * in between, its live lock is put back (link fails if yet another one has appeared meanwhile).
 */
async function removeStale(lockPath: string, stale: Holder): Promise<boolean> {
  const aside = `${lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = await readFile(aside, 'utf8');
  const wasStale = moved === stale.text;
  if (!wasStale) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside);
  return wasStale;
}

async function releaseIfMine(lockPath: string, mineText: string): Promise<void> {
  const current = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (current === mineText) await unlink(lockPath);
}

function takeoverMessage(stale: Holder, verdict: Liveness): string {
  const who = stale.holder ? describeHolder(stale.holder) : 'an unnamed holder';
  return `took over the state lock left by ${who}: ${verdict.why}. Its command may have stopped half-way; this run reconciles before it acts.`;
}

function lockedError(lockPath: string, current: Holder, verdict: Liveness) {
  if (!current.holder) {
    return StateError(
      'The state is locked by a process that has not written its name yet.',
      `Retry in a few seconds; a lock file without a holder is taken over after ${UNREADABLE_GRACE_MS / 1000} s.`,
    );
  }
  const who = describeHolder(current.holder);
  if (verdict.verdict === 'alive') {
    return StateError(
      `The state is locked by ${who}, which is still running (${verdict.why}).`,
      `Wait for it to finish and retry (it removes ${lockPath} when it ends).`,
    );
  }
  return StateError(
    `The state is locked by ${who}; ${verdict.why}.`,
    `If that run is over (the machine is off, or its process was killed), delete ${lockPath} and retry; otherwise wait for it to finish.`,
  );
}

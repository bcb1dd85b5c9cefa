/**
 * The local state file `<stateDir>/state.json`: validated on load, written atomically, changed only under
 * the lock. Workflows commit as they go (node:create after every step), so an interrupted run leaves a state a
 * re-run starts from.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StateError } from '../errors.js';
import { findJsonSyntaxError } from './json-position.js';
import { acquireLock } from './lock.js';
import { STATE_VERSION, State, emptyState } from './schema.js';

export interface StateTx {
  /** The state as last loaded or committed. */
  readonly state: State;
  /** Applies the change to a copy, validates it, saves it atomically and returns the new state. */
  commit(mutator: (draft: State) => void | State): Promise<State>;
}

export interface StateStoreOptions {
  /** How long a second run waits for the lock before failing (ms). */
  lockWaitMs?: number;
  lockPollMs?: number;
  /** Told when the lock of a dead run is taken over. */
  onLockTakeover?: (message: string) => void;
}

export class StateStore {
  readonly path: string;
  readonly lockPath: string;
  private readonly lockWaitMs: number;
  private readonly lockPollMs: number;
  private readonly onLockTakeover: ((message: string) => void) | undefined;

  constructor(
    readonly stateDir: string,
    options: StateStoreOptions = {},
  ) {
    this.path = join(stateDir, 'state.json');
    this.lockPath = join(stateDir, 'state.lock');
    this.lockWaitMs = options.lockWaitMs ?? 3000;
    this.lockPollMs = options.lockPollMs ?? 100;
    this.onLockTakeover = options.onLockTakeover;
  }

  /** The current state; a missing file is an empty state. */
  async load(): Promise<State> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
      throw StateError(`Cannot read ${this.path}: ${(error as Error).message}`);
    }
    return this.parse(text);
  }

  /** Writes the state atomically: temp file in the same directory, fsync, rename, fsync the directory. */
  async save(state: State): Promise<void> {
    const valid = this.validate(state, 'The state to save');
    await this.refuseNewerOnDisk();
    await mkdir(this.stateDir, { recursive: true });
    const temp = `${this.path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(valid, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw StateError(`Cannot write ${this.path}: ${(error as Error).message}`);
    }
    await syncDirectory(this.stateDir);
  }

  /** Runs `fn` holding the state lock, with the state loaded and a commit that saves after each step. */
  async withLock<T>(command: string, fn: (tx: StateTx) => Promise<T>): Promise<T> {
    await mkdir(this.stateDir, { recursive: true });
    const release = await acquireLock(this.lockPath, command, {
      waitMs: this.lockWaitMs,
      pollMs: this.lockPollMs,
      ...(this.onLockTakeover ? { onTakeover: this.onLockTakeover } : {}),
    });
    try {
      let current = await this.load();
      const tx: StateTx = {
        get state() {
          return current;
        },
        commit: async (mutator) => {
          const draft = structuredClone(current);
          const next = mutator(draft) ?? draft;
          await this.save(next);
          current = next;
          return current;
        },
      };
      return await fn(tx);
    } finally {
      await release();
    }
  }

  /** Copies the current file to `state.json.bak-<timestamp>`; returns its path, or null without a state file. */
  async backup(): Promise<string | null> {
    const target = `${this.path}.bak-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await copyFile(this.path, target, constants.COPYFILE_EXCL);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw StateError(`Cannot back up ${this.path}: ${(error as Error).message}`);
    }
    return target;
  }

  private parse(text: string): State {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      const where = findJsonSyntaxError(text);
      const at = where ? ` at line ${where.line}, column ${where.column}: ${where.reason}` : '';
      throw StateError(`${this.path} is not valid JSON${at}.`, `Fix the file by hand or restore a backup (${this.path}.bak-*).`);
    }
    refuseNewer(this.path, data);
    return this.validate(data, this.path);
  }

  private validate(data: unknown, what: string): State {
    const result = State.safeParse(data);
    if (result.success) return result.data;
    const problems = result.error.issues.slice(0, 5).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw StateError(
      `${what} does not match the state format: ${problems.join('; ')}.`,
      `Fix the named fields or restore a backup (${this.path}.bak-*).`,
    );
  }

  private async refuseNewerOnDisk(): Promise<void> {
    const text = await readFile(this.path, 'utf8').catch(() => undefined);
    if (text === undefined) return;
    try {
      refuseNewer(this.path, JSON.parse(text));
    } catch (error) {
      if (error instanceof SyntaxError) return; // A broken file is replaced: the lock holder loaded its own valid state.
      throw error;
    }
  }
}

/** A file from a newer Dynia may hold fields this one would silently drop, so it is never read or overwritten. */
function refuseNewer(path: string, data: unknown): void {
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > STATE_VERSION) {
    throw StateError(
      `${path} was written by a newer Dynia (state version ${version}; this Dynia understands up to ${STATE_VERSION}).`,
      'Upgrade Dynia to work with this state. The file was left unchanged.',
    );
  }
}

/** `['nodes', 1, 'healthPath']` → `nodes[1].healthPath`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Test doubles the workflow tests share: an in-memory state transaction and a scripted node session. */
import type { Argv } from '../../src/remote/quote.js';
import { RecordingRemote, type ScriptedAnswer } from '../../src/remote/recording.js';
import { State } from '../../src/state/schema.js';
import type { StateTx } from '../../src/state/store.js';
import type { NodeSession } from '../../src/workflows/ports.js';

/** Commits are validated like the real store's, but kept in memory. */
export function memoryTx(start: State): StateTx {
  let current = start;
  return {
    get state() {
      return current;
    },
    async commit(mutator) {
      const draft = structuredClone(current);
      current = State.parse(mutator(draft) ?? draft);
      return current;
    },
  };
}

/** The drain-then-stop command (see drain-commands.ts): its fifth word is the address template. */
export const isDrain = (argv: Argv): boolean => argv[0] === 'sh' && (argv[4] ?? '').startsWith('{{with index .NetworkSettings.Networks');

/** A drain command shown short: `drain <new container>:<port> <old container>:<port> then <stop command>`. */
export const shownDrain = (argv: Argv): string => `drain ${argv[6]}:${argv[7]} ${argv[8]}:${argv[9]} then ${argv.slice(12).join(' ')}`;

/** A node session whose Caddy drains at once unless a test sets `drainAnswer`. */
export class FakeNode extends RecordingRemote implements NodeSession {
  readonly stats = { connections: 1, commands: 0 };
  closed = false;
  drainAnswer: ScriptedAnswer = { stdout: 'drained new 2\n' };
  constructor(host?: string) {
    super(host);
    this.on(isDrain, () => this.drainAnswer);
  }
  async close() {
    this.closed = true;
  }
}

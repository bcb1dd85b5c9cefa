/** Test doubles the workflow tests share: an in-memory state transaction and a scripted node session. */
import { RecordingRemote } from '../../src/remote/recording.js';
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

export class FakeNode extends RecordingRemote implements NodeSession {
  readonly stats = { connections: 1, commands: 0 };
  closed = false;
  async close() {
    this.closed = true;
  }
}

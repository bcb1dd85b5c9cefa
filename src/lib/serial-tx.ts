import type { StateTx } from '../state/store.js';

/**
 * A state transaction safe to share between nodes working in parallel: commits run one after the other, each
 * on the state the previous one left (the store's commit copies the state it starts from, so two overlapping
 * commits would lose one).
 */
export function serialTx(tx: StateTx): StateTx {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    get state() {
      return tx.state;
    },
    commit(mutator) {
      const next = chain.then(() => tx.commit(mutator));
      chain = next.catch(() => undefined);
      return next;
    },
  };
}

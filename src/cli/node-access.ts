/** Checks shared by the commands that reach one node's apps (app:logs, app:exec, audit): a known, pinned node, a sane count. */
import { InputError } from '../errors.js';
import type { NodeRecord, State } from '../state/schema.js';
import { noSuchNode } from '../deploy/node-selection.js';

/** The node from state, reachable without trusting anything new: it must have an IP and a pinned host key. */
export function pinnedNode(state: State, name: string): NodeRecord {
  const node = state.nodes.find((n) => n.name === name);
  if (!node) throw noSuchNode(state, `--node ${name}`, 'See dynia node:list; to find nodes missing from state, run dynia state:rebuild.');
  if (!node.ip || !node.sshHostKey) {
    throw InputError(
      `--node ${name} has no ${node.ip ? 'pinned SSH host key' : 'IP'} yet (status ${node.status}).`,
      `Finish it first: dynia node:create --name ${name}`,
    );
  }
  return node;
}

export function positiveCount(value: string, field: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1_000_000)
    throw InputError(`${field} "${value}" is not a whole number from 1 to 1000000.`, `e.g. ${field} 50`);
  return n;
}

const SERVICE = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

export function composeService(value: string, field: string): string {
  if (!SERVICE.test(value)) throw InputError(`${field} "${value}" is not a compose service name.`, `e.g. ${field} web`);
  return value;
}

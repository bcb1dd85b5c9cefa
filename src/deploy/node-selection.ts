/** Which nodes a fleet command targets: `--node a --node b`, `--node a,b`, or `--all` (every active node). */
import { InputError, type DyniaError } from '../errors.js';
import type { NodeRecord, State } from '../state/schema.js';
import { validateNodeName } from '../validate/node-name.js';

/** The one refusal of node names state does not hold; `subject` is how the user named them (`--node web-9`). */
export function noSuchNode(state: State, subject: string, hint: string): DyniaError {
  const known = state.nodes.map((n) => n.name).join(', ') || 'none';
  return InputError(`${subject}: no such node in state (known: ${known}).`, hint);
}

/** commander collector for a repeatable `--node` that also takes comma lists. */
export const collectNodes = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((s) => s.trim())];

/** The names as given, checked and deduplicated (local, before any lock or connection). */
export function nodeNames(opts: { node?: string[] | string; all?: boolean }, command: string): string[] | 'all' {
  const given = typeof opts.node === 'string' ? collectNodes(opts.node) : (opts.node ?? []);
  if (opts.all && given.length > 0)
    throw InputError(`${command}: pass --node or --all, not both.`, 'e.g. --node web-1,web-2, or --all for every active node');
  if (opts.all) return 'all';
  if (given.length === 0)
    throw InputError(
      `${command}: which nodes? Pass --node <name> (repeat it, or a,b) or --all.`,
      `e.g. dynia ${command} --node web-1 --node web-2`,
    );
  return [...new Set(given.map((name) => validateNodeName(name, '--node')))];
}

/** The node records, in the order given; unknown or unfinished nodes are refused, naming each. */
export function selectNodes(state: State, names: string[] | 'all', command: string): NodeRecord[] {
  if (names === 'all') {
    const active = state.nodes.filter((n) => n.status === 'active');
    if (active.length === 0)
      throw InputError(`${command} --all: no active node in state.`, 'Create one first: dynia node:create --name web-1');
    return active;
  }
  const missing = names.filter((name) => !state.nodes.some((n) => n.name === name));
  if (missing.length > 0)
    throw noSuchNode(state, `--node ${missing.join(', ')}`, `Create it first: dynia node:create --name ${missing[0]}`);
  const unready = names.map((name) => state.nodes.find((n) => n.name === name)!).filter((n) => n.status !== 'active');
  if (unready.length > 0) {
    throw InputError(
      unready.map((n) => `--node ${n.name} is not ready (status ${n.status}).`).join(' '),
      `Finish it first: dynia node:create --name ${unready[0]!.name}`,
    );
  }
  return names.map((name) => state.nodes.find((n) => n.name === name)!);
}

/** `--parallel`: how many nodes work at once (default 4: a handful of nodes in one go, bounded SSH fan-out). */
export function parallelism(value: unknown): number {
  if (value === undefined) return 4;
  const text = String(value);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 64)
    throw InputError(`--parallel "${text}" is not a whole number from 1 to 64.`, 'e.g. --parallel 4');
  return n;
}

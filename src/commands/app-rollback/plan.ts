/** The pure half of app:rollback: which deployment is replaced by which, or why there is nothing to go back to. */
import { InputError } from '../../errors.js';
import type { Deployment, NodeRecord, State } from '../../state/schema.js';
import { noSuchNode } from '../../deploy/node-selection.js';

export interface RollbackPlan {
  node: NodeRecord;
  /** The active deployment, to be stopped. */
  current: Deployment;
  /** The version before it (superseded, same app and domain, other project), to be started again. */
  previous: Deployment;
}

export function planRollback(state: State, input: { node: string; domain?: string; app?: string }): RollbackPlan {
  const node = state.nodes.find((n) => n.name === input.node);
  if (!node) throw noSuchNode(state, `--node ${input.node}`, 'See dynia node:list.');
  if (node.status !== 'active') throw InputError(`--node ${input.node} is not ready (status ${node.status}).`, 'See dynia status.');
  const active = state.deployments.filter((d) => d.node === node.name && d.status === 'active');
  const listed = active.map((d) => `${d.app} on ${d.domain}`).join(', ');
  const chosen = active.filter(
    (d) => (input.domain === undefined || d.domain === input.domain) && (input.app === undefined || d.app === input.app),
  );
  if (chosen.length === 0) {
    const asked = input.domain !== undefined ? `--domain ${input.domain}` : input.app !== undefined ? `--app ${input.app}` : undefined;
    throw InputError(
      asked ? `no active app on ${node.name} matches ${asked}.` : `no app is active on ${node.name}.`,
      active.length ? `Active: ${listed}.` : 'Nothing to roll back; deploy with dynia app:deploy.',
    );
  }
  if (chosen.length > 1)
    throw InputError(`${node.name} serves several apps (${listed}); say which.`, 'Pass --app <app> or --domain <domain>.');
  const current = chosen[0]!;
  const previous = state.deployments
    .filter(
      (d) =>
        d.node === node.name &&
        d.app === current.app &&
        d.domain === current.domain &&
        d.status === 'superseded' &&
        d.project !== current.project &&
        d.createdAt < current.createdAt,
    )
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0];
  if (!previous) {
    throw InputError(
      `${current.app} on ${node.name} has no earlier version of ${current.domain} to go back to (no superseded deployment in another project).`,
      'Deploy the version you want with dynia app:deploy.',
    );
  }
  return { node, current, previous };
}

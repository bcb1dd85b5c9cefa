import { InputError } from '../errors.js';
import type { Deployment, NodeRecord, State } from '../state/schema.js';

/** The active deployment of `app` on the node; without `app`, the only active one (else the user must say). */
export function activeApp(state: State, node: NodeRecord, app?: string): Deployment {
  const active = state.deployments.filter((d) => d.node === node.name && d.status === 'active');
  const listed = active.map((d) => d.app).join(', ');
  if (app !== undefined) {
    const found = active.find((d) => d.app === app);
    if (!found)
      throw InputError(
        `no active app ${app} on ${node.name}.`,
        active.length ? `Active: ${listed}.` : 'Nothing is deployed there; see dynia status.',
      );
    return found;
  }
  if (active.length === 1) return active[0]!;
  if (active.length === 0) throw InputError(`no app is active on ${node.name}.`, 'Nothing is deployed there; see dynia status.');
  throw InputError(`${node.name} runs several apps (${listed}); say which.`, 'Pass --app <app>.');
}

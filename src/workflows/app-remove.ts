/**
 * `dynia app:remove`: an app leaves the nodes it names. Per node: Caddy routes the app's domains back (the
 * node FQDN to the placeholder, any other domain's site removed), every compose project of the app is taken
 * down and its directory removed, then state, manifest and audit say so. Named volumes stay unless
 * `--volumes` (the output lists them either way). The node is changed before state, so an interrupted remove
 * is finished by running it again.
 */
import { InputError } from '../errors.js';
import { composeDownProject, projectVolumes } from '../node/app-ops-commands.js';
import { appDir } from '../node/layout.js';
import type { NodeRecord, State } from '../state/schema.js';
import { appendAudit, auditOutcome } from './audit.js';
import { applyCaddyfile } from './caddy-config.js';
import { caddyfileFor, writeNodeManifest } from './deploy-shared.js';
import { runBounded } from './fleet.js';
import { syncFqdnTarget } from './node-sites.js';
import type { WorkflowDeps } from './ports.js';
import { serialTx } from './serial-tx.js';

export interface RemovePlan {
  app: string;
  nodes: NodeRecord[];
  volumes: boolean;
}

export interface NodeRemoval {
  node: string;
  fqdn: string;
  projects: string[];
  domains: string[];
  /** Named volumes left in place (without --volumes) or removed (with it). */
  volumes: string[];
  volumesRemoved: boolean;
}

/** `all`: every node the app has deployments on. Named nodes must each know the app. */
export function planRemove(state: State, input: { app: string; nodes: NodeRecord[] | 'all'; volumes: boolean }): RemovePlan {
  const has = (node: string) => state.deployments.some((d) => d.app === input.app && d.node === node);
  const nodes = input.nodes === 'all' ? state.nodes.filter((n) => has(n.name)) : input.nodes;
  if (nodes.length === 0) throw InputError(`app ${input.app} is not deployed on any node.`, 'See dynia app:list.');
  const without = nodes.filter((n) => !has(n.name));
  if (without.length > 0) {
    throw InputError(`app ${input.app} is not on ${without.map((n) => n.name).join(', ')}; nothing was changed.`, 'See dynia app:list for where it runs.');
  }
  return { app: input.app, nodes, volumes: input.volumes };
}

/** The state without the app on the node (pure); the node's FQDN falls back to the placeholder. */
export function withoutApp(state: State, app: string, node: string): State {
  const next = structuredClone(state);
  next.deployments = next.deployments.filter((d) => !(d.app === app && d.node === node));
  syncFqdnTarget(next, node);
  return next;
}

export async function appRemove(plan: RemovePlan, deps: WorkflowDeps, parallel = 4): Promise<NodeRemoval[]> {
  const tx = serialTx(deps.tx);
  const results = new Map<string, NodeRemoval>();
  const outcome = await runBounded(plan.nodes, parallel, async (node) => {
    const session = await deps.connect(node, () => Promise.resolve());
    let failure: unknown;
    const mine = tx.state.deployments.filter((d) => d.app === plan.app && d.node === node.name);
    const projects = [...new Set(mine.map((d) => d.project))].sort();
    const domains = [...new Set(mine.filter((d) => d.status === 'active').map((d) => d.domain))];
    try {
      await applyCaddyfile(session, caddyfileFor(deps.settings, withoutApp(tx.state, plan.app, node.name), node.name));
      const volumes: string[] = [];
      for (const project of projects) {
        volumes.push(...(await session.exec(projectVolumes(project), { allowFailure: true })).stdout.split('\n').filter(Boolean));
        await session.exec(composeDownProject(project, plan.volumes), { timeoutMs: 300_000 });
      }
      await session.exec(['rm', '-rf', ...projects.map(appDir)]);
      const state = await tx.commit((draft) => withoutApp(draft, plan.app, node.name));
      await writeNodeManifest(session, state, node.name);
      deps.reporter.info(`${node.name}: ${projects.join(', ')} down and removed`);
      results.set(node.name, { node: node.name, fqdn: node.fqdn, projects, domains, volumes, volumesRemoved: plan.volumes });
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      await appendAudit(session, deps.reporter, { command: 'app:remove', args: { node: node.name, app: plan.app, volumes: plan.volumes, projects: projects.join(',') }, ...auditOutcome(failure) });
      await session.close();
    }
  });
  const failed = [...outcome].find(([, e]) => e !== undefined);
  if (failed) throw failed[1];
  return plan.nodes.map((n) => results.get(n.name)!);
}

/**
 * `dynia app:remove`: an app leaves the nodes it names. Per node: Caddy routes the app's domains back (the
 * node FQDN to the placeholder, any other domain's site removed), every compose project of the app (both
 * colours and its data project) is taken down and its directory removed, the app's networks go, then state,
 * manifest and audit say so. Named volumes and the data directory stay unless `--volumes` (the output lists
 * them either way). The node is changed before state, so an interrupted remove is finished by running it again.
 */
import { InputError } from '../../errors.js';
import { composeDownProject, networkRemove, nodeInventory, parseInventory, volumeRemove } from '../../node/app-ops-commands.js';
import { appDataDir, appDir, dataProject } from '../../node/layout.js';
import { afterRetire } from '../../node/retire-commands.js';
import type { NodeRecord, State } from '../../state/schema.js';
import { appendAudit, auditOutcome } from '../../lib/audit.js';
import { applyCaddyfile } from '../../deploy/caddy-config.js';
import { caddyfileFor, writeNodeManifest } from '../../deploy/deploy-shared.js';
import { runBounded } from '../../deploy/fleet.js';
import { syncFqdnTarget } from '../../deploy/node-sites.js';
import type { WorkflowDeps } from '../../lib/ports.js';
import { serialTx } from '../../lib/serial-tx.js';

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
  /** The app's data directory on the node, if it has one (kept without --volumes). */
  dataDir?: string;
  volumesRemoved: boolean;
}

/** `all`: every node the app has deployments on. Named nodes must each know the app. */
export function planRemove(state: State, input: { app: string; nodes: NodeRecord[] | 'all'; volumes: boolean }): RemovePlan {
  const has = (node: string) => state.deployments.some((d) => d.app === input.app && d.node === node);
  const nodes = input.nodes === 'all' ? state.nodes.filter((n) => has(n.name)) : input.nodes;
  if (nodes.length === 0) throw InputError(`app ${input.app} is not deployed on any node.`, 'See dynia app:list.');
  const without = nodes.filter((n) => !has(n.name));
  if (without.length > 0) {
    throw InputError(
      `app ${input.app} is not on ${without.map((n) => n.name).join(', ')}; nothing was changed.`,
      'See dynia app:list for where it runs.',
    );
  }
  return { app: input.app, nodes, volumes: input.volumes };
}

/** The state without the app on the node (pure); the node's FQDN falls back to the placeholder. */
function withoutApp(state: State, app: string, node: string): State {
  const next = structuredClone(state);
  next.deployments = next.deployments.filter((d) => !(d.app === app && d.node === node));
  syncFqdnTarget(next, node);
  return next;
}

/**
 * Which of the node's volumes or networks are the app's: `<app>_<name>` (shared by all its projects) or
 * `<project>_<name>` (project-scoped, as older deploys made them); never one of another app whose name
 * merely starts with this one's (`shop` vs `shop_admin`).
 */
function appResources(names: readonly string[], app: string, projects: readonly string[], otherApps: readonly string[]): string[] {
  const prefixes = [app, ...projects].map((p) => `${p}_`);
  const others = otherApps.filter((o) => o !== app && o.startsWith(`${app}_`)).map((o) => `${o}_`);
  return names.filter((n) => prefixes.some((p) => n.startsWith(p)) && !others.some((o) => n.startsWith(o)));
}

export async function appRemove(plan: RemovePlan, deps: WorkflowDeps, parallel = 4): Promise<NodeRemoval[]> {
  const tx = serialTx(deps.tx);
  const results = new Map<string, NodeRemoval>();
  const otherApps = [...new Set(deps.tx.state.deployments.map((d) => d.app))];
  const outcome = await runBounded(plan.nodes, parallel, async (node) => {
    const session = await deps.connect(node, () => Promise.resolve());
    let failure: unknown;
    const mine = tx.state.deployments.filter((d) => d.app === plan.app && d.node === node.name);
    const projects = [...new Set([...mine.map((d) => d.project), dataProject(plan.app)])].sort();
    const domains = [...new Set(mine.filter((d) => d.status === 'active').map((d) => d.domain))];
    try {
      await applyCaddyfile(session, caddyfileFor(deps.settings, withoutApp(tx.state, plan.app, node.name), node.name));
      const found = parseInventory((await session.exec(nodeInventory(appDataDir(plan.app)))).stdout);
      for (const project of projects) await session.exec(afterRetire(project, composeDownProject(project, false)), { timeoutMs: 300_000 });
      const volumes = appResources(found.volumes, plan.app, projects, otherApps);
      const networks = appResources(found.networks, plan.app, projects, otherApps);
      if (networks.length > 0) await session.exec(networkRemove(networks), { allowFailure: true });
      if (plan.volumes && volumes.length > 0) await session.exec(volumeRemove(volumes));
      await session.exec(['rm', '-rf', ...projects.map(appDir), ...(plan.volumes ? [appDataDir(plan.app)] : [])]);
      const state = await tx.commit((draft) => withoutApp(draft, plan.app, node.name));
      await writeNodeManifest(session, state, node.name, deps.clock.date());
      deps.reporter.info(`${node.name}: ${projects.join(', ')} down and removed`);
      results.set(node.name, {
        node: node.name,
        fqdn: node.fqdn,
        projects,
        domains,
        volumes,
        ...(found.dataDir ? { dataDir: appDataDir(plan.app) } : {}),
        volumesRemoved: plan.volumes,
      });
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      await appendAudit(session, deps, {
        command: 'app:remove',
        args: { node: node.name, app: plan.app, volumes: plan.volumes, projects: projects.join(',') },
        ...auditOutcome(failure),
      });
      await session.close();
    }
  });
  const failed = [...outcome].find(([, e]) => e !== undefined);
  if (failed) throw failed[1];
  return plan.nodes.map((n) => results.get(n.name)!);
}

/**
 * `dynia app:list` (pure, from state alone): per app, per node, the version that serves, where and how; and
 * which nodes run a different version than the rest of the app's fleet.
 */
import type { Deployment, State } from '../../state/schema.js';

export interface AppOnNode {
  node: string;
  /** The active deployment's compose project and file hash; absent when the app has no active version there. */
  project?: string;
  version?: string;
  deployedAt?: string;
  domain: string;
  entry: { service: string; port: number };
  /** `active`, or the status of the app's last deployment when none is active (e.g. `failed`). */
  status: string;
  /** The last deployment on this node failed (the active version, if any, kept serving). */
  lastFailure?: string;
  /** This node runs another version than most of the app's nodes. */
  differs: boolean;
}

export interface AppListing {
  app: string;
  nodes: AppOnNode[];
  /** How many distinct versions serve this app across its nodes. */
  versions: number;
}

export function listApps(state: State): AppListing[] {
  const apps = [...new Set(state.deployments.map((d) => d.app))].sort();
  return apps.map((app) => {
    const nodes = state.nodes
      .map((node) => appOnNode(state.deployments.filter((d) => d.app === app && d.node === node.name)))
      .filter((x): x is Omit<AppOnNode, 'differs'> => x !== undefined);
    const counts = new Map<string, number>();
    for (const n of nodes) if (n.version) counts.set(n.version, (counts.get(n.version) ?? 0) + 1);
    // The fleet's version is the most common one (ties: the newest deploy wins); the others differ.
    const newest = nodes.filter((n) => n.version).sort((a, b) => (a.deployedAt! < b.deployedAt! ? 1 : -1))[0]?.version;
    const main = [...counts].sort((a, b) => b[1] - a[1] || (a[0] === newest ? -1 : b[0] === newest ? 1 : 0))[0]?.[0];
    return {
      app,
      nodes: nodes.map((n) => ({ ...n, differs: counts.size > 1 && n.version !== main })),
      versions: counts.size,
    };
  });
}

function appOnNode(mine: Deployment[]): Omit<AppOnNode, 'differs'> | undefined {
  const last = mine.at(-1);
  if (!last) return undefined;
  const active = mine.find((d) => d.status === 'active');
  const shown = active ?? last;
  return {
    node: shown.node,
    ...(active ? { project: active.project, version: active.composeHash.slice(0, 12), deployedAt: active.createdAt } : {}),
    domain: shown.domain,
    entry: { service: shown.entryService, port: shown.entryPort },
    status: active ? 'active' : last.status,
    ...(last.status === 'failed' ? { lastFailure: last.reason ?? 'failed' } : {}),
  };
}

export const APP_LIST_HEADERS = ['APP', 'NODE', 'VERSION', 'DEPLOYED', 'DOMAIN', 'ENTRY', 'STATUS'];

export function appListRows(listing: AppListing[]): string[][] {
  return listing.flatMap(({ app, nodes }) =>
    nodes.map((n) => [
      app,
      n.node,
      `${n.version ?? '-'}${n.differs ? ' (differs)' : ''}`,
      n.deployedAt ? n.deployedAt.slice(0, 19).replace('T', ' ') : '-',
      n.domain,
      `${n.entry.service}:${n.entry.port}`,
      n.lastFailure && n.status === 'active' ? 'active (last deploy failed)' : n.status,
    ]),
  );
}

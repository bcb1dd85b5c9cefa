/**
 * What a node's Caddy serves, derived from state alone (pure): the node FQDN plus every domain an active
 * deployment on the node binds. A domain without an active app is served by the placeholder.
 */
import type { CaddySite } from '../node/caddy/caddyfile.js';
import { PLACEHOLDER_CONTAINER, PLACEHOLDER_PORT } from '../node/layout.js';
import type { Binding, NodeManifest } from '../node/manifest.js';
import { MANIFEST_VERSION } from '../node/manifest.js';
import { upstreamAlias } from '../node/caddy/upstream-alias.js';
import type { Deployment, NodeRecord, State, Target } from '../state/schema.js';

export const activeDeployments = (node: NodeRecord, deployments: readonly Deployment[]): Deployment[] =>
  deployments.filter((d) => d.node === node.name && d.status === 'active');

export function nodeBindings(node: NodeRecord, deployments: readonly Deployment[]): Binding[] {
  const active = activeDeployments(node, deployments);
  const domains = [...new Set([node.fqdn, ...active.map((d) => d.domain)])].sort();
  return domains.map((domain) => {
    const app = active.find((d) => d.domain === domain);
    return app
      ? { domain, upstream: { alias: upstreamAlias(domain), port: app.entryPort }, project: app.project }
      : { domain, upstream: { alias: PLACEHOLDER_CONTAINER, port: PLACEHOLDER_PORT } };
  });
}

export const nodeSites = (node: NodeRecord, deployments: readonly Deployment[]): CaddySite[] =>
  nodeBindings(node, deployments).map(({ domain, upstream }) => ({ domain, upstream }));

/** The node's own record of itself (`/opt/dynia/node.json`), enough to rebuild local state. */
export function nodeManifest(node: NodeRecord, deployments: readonly Deployment[], now: string): NodeManifest {
  return {
    version: MANIFEST_VERSION,
    name: node.name,
    fqdn: node.fqdn,
    healthPath: node.healthPath,
    bindings: nodeBindings(node, deployments),
    deployments: deployments.filter((d) => d.node === node.name),
    ...(node.firewall ? { firewall: node.firewall } : {}),
    updatedAt: now,
  };
}

/** What a node's FQDN routes to before any app takes it over. */
export const placeholderTarget = (): Target => ({ service: 'placeholder', port: PLACEHOLDER_PORT });

/** The node's `caddy` record mirrors what its FQDN routes to: the active app there, else the placeholder. */
export function syncFqdnTarget(state: State, nodeName: string): void {
  const node = state.nodes.find((n) => n.name === nodeName)!;
  const app = state.deployments.find((d) => d.node === nodeName && d.domain === node.fqdn && d.status === 'active');
  node.caddy = { domain: node.fqdn, target: app ? { service: app.entryService, port: app.entryPort } : placeholderTarget() };
}

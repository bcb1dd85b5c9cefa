import { Document, isNode } from 'yaml';
import { EDGE_NETWORK } from '../node/layout.js';
import type { ComposeFile } from './parse.js';

export const PROJECT_LABEL = 'dev.dynia.project';
export const NODE_LABEL = 'dev.dynia.node';

export interface Override {
  /** YAML for `docker compose -f app.yml -f <this>`. */
  yaml: string;
  /** Host port publishing removed (Caddy is the only way in); the CLI warns about each. */
  strippedPorts: Array<{ service: string; ports: string[] }>;
  /**
   * container_name removed (blue and green run side by side; names would clash); each old name stays
   * resolvable as an alias on the service's own networks.
   */
  droppedContainerNames: Array<{ service: string; containerName: string }>;
}

const describePort = (entry: unknown): string =>
  typeof entry === 'object' && entry !== null ? JSON.stringify(entry) : String(entry);

/**
 * What Dynia layers over an app's compose file: every service joins the external `edge` network (keeping its
 * own networks), publishes no host ports, restarts with the node unless it says otherwise, and carries labels
 * naming the project and node.
 * `!reset` (compose ≥2.24) is needed because compose merges `ports` lists instead of replacing them.
 */
export function renderOverride(file: ComposeFile, meta: { project: string; node: string }): Override {
  const strippedPorts: Override['strippedPorts'] = [];
  const droppedContainerNames: Override['droppedContainerNames'] = [];
  const services: Record<string, Record<string, unknown>> = {};
  const resets: Array<[string, string]> = [];

  for (const service of file.services) {
    const out: Record<string, unknown> = {};
    if (service.containerName !== undefined) {
      out.container_name = null;
      resets.push([service.name, 'container_name']);
      droppedContainerNames.push({ service: service.name, containerName: service.containerName });
    }
    if (service.ports.length > 0) {
      out.ports = [];
      resets.push([service.name, 'ports']);
      strippedPorts.push({ service: service.name, ports: service.ports.map(describePort) });
    }
    if (service.networkMode === undefined) {
      const own = service.networks ?? ['default'];
      const aliases = service.containerName !== undefined ? { aliases: [service.containerName] } : {};
      out.networks = Object.fromEntries([
        ...own.filter((name) => name !== EDGE_NETWORK).map((name) => [name, aliases]),
        [EDGE_NETWORK, {}],
      ]);
    }
    // Without a policy an app stays down after the node reboots; a stopped (previous) version stays stopped.
    if (service.restart === undefined) out.restart = 'unless-stopped';
    out.labels = { [PROJECT_LABEL]: meta.project, [NODE_LABEL]: meta.node };
    services[service.name] = out;
  }

  const doc = new Document({ services, networks: { [EDGE_NETWORK]: { name: EDGE_NETWORK, external: true } } });
  for (const [service, key] of resets) {
    const node = doc.getIn(['services', service, key], true);
    if (isNode(node)) node.tag = '!reset';
  }
  return { yaml: doc.toString(), strippedPorts, droppedContainerNames };
}

import { Document, isNode } from 'yaml';
import { EDGE_NETWORK } from '../node/layout.js';
import type { AppModel, AppNetwork, Mount } from './app-model.js';
import type { ComposeFile } from './parse.js';

const PROJECT_LABEL = 'dev.dynia.project';
const NODE_LABEL = 'dev.dynia.node';
/** The restart policy the file asks for; a retired version gets `no`, a rollback puts this one back. */
export const RESTART_LABEL = 'dev.dynia.restart';

export interface Override {
  /** YAML for `docker compose -f app.yml -f <this>`. */
  yaml: string;
  /** Host port publishing removed (Caddy is the only way in); the CLI warns about each. */
  strippedPorts: Array<{ service: string; ports: string[] }>;
}

export interface OverrideMeta {
  app: string;
  /** The compose project this override is for (`<app>-blue`, `<app>-green` or `<app>-data`). */
  project: string;
  node: string;
  entry: string;
  /** Where this project's copy of the app directory is on the node. */
  srcDir: string;
  /** Where the app's writable data directories live on the node (shared by every project of the app). */
  dataDir: string;
  /** Image tag per built service (content-addressed, so every project and colour uses the same image). */
  imageTags: ReadonlyMap<string, string>;
}

const describePort = (entry: unknown): string => (typeof entry === 'object' && entry !== null ? JSON.stringify(entry) : String(entry));

/** Compose interpolates the override too: a literal `$` must be written `$$`. */
const literal = (text: string) => text.replaceAll('$', '$$');

function rewriteMount(mount: Mount, meta: OverrideMeta): Record<string, unknown> {
  const long = { ...mount.long };
  if (mount.kind === 'config') long.source = literal(mount.source === '.' ? meta.srcDir : `${meta.srcDir}/${mount.source}`);
  else if (mount.kind === 'data-dir') long.source = literal(`${meta.dataDir}/${mount.source}`);
  else if (typeof long.source === 'string') long.source = literal(long.source);
  if (typeof long.target === 'string') long.target = literal(long.target);
  return long;
}

/**
 * What Dynia layers over an app's compose file, for one of the app's projects:
 * - only the entry joins the external `edge` network (Caddy's); every other service stays on the app's networks,
 *   which Dynia creates as `<app>_<network>` and every project of the app shares, so names resolve across them;
 * - named volumes are `<app>_<volume>` in every project, so no deploy or rollback ever sees other data;
 * - mounts in long syntax with absolute sources: shipped config from this project's copy, writable directories
 *   from the app's data directory (kept across deploys);
 * - built services get a content-addressed image tag, publish no host ports, restart with the node unless the
 *   file says otherwise (the policy is kept in a label for rollbacks), and carry labels naming project and node.
 * `!reset`/`!override` (compose ≥2.24) are needed because compose merges lists instead of replacing them.
 */
export function renderOverride(file: ComposeFile, model: AppModel, meta: OverrideMeta): Override {
  const strippedPorts: Override['strippedPorts'] = [];
  const services: Record<string, Record<string, unknown>> = {};
  const tags: Array<[string, string, string]> = [];
  const created = appNetworks(model, meta.entry);
  const dropped = new Set(model.networks.filter((n) => !created.includes(n)).map((n) => n.key));

  for (const service of file.services) {
    const out: Record<string, unknown> = {};
    const { mounts, job } = model.services.find((s) => s.name === service.name)!;
    const tag = meta.imageTags.get(service.name);
    if (tag !== undefined) out.image = tag;
    // container_name goes (blue and green run side by side; names would clash); the old name stays
    // resolvable as an alias on the service's own networks (below).
    if (service.containerName !== undefined) {
      out.container_name = null;
      tags.push([service.name, 'container_name', '!reset']);
    }
    if (service.ports.length > 0) {
      out.ports = [];
      tags.push([service.name, 'ports', '!reset']);
      strippedPorts.push({ service: service.name, ports: service.ports.map(describePort) });
    }
    if (mounts.length > 0) {
      out.volumes = mounts.map((m) => rewriteMount(m, meta));
      tags.push([service.name, 'volumes', '!override']);
    }
    if (service.name === meta.entry && service.networkMode === undefined) {
      const own = (service.networks ?? ['default']).filter((name) => !dropped.has(name));
      const aliases = service.containerName !== undefined ? { aliases: [service.containerName] } : {};
      out.networks = Object.fromEntries([
        ...own.filter((name) => name !== EDGE_NETWORK).map((name) => [name, aliases]),
        [EDGE_NETWORK, {}],
      ]);
    } else if (service.containerName !== undefined && service.networkMode === undefined) {
      out.networks = Object.fromEntries((service.networks ?? ['default']).map((name) => [name, { aliases: [service.containerName] }]));
    }
    // Without a policy an app stays down after the node reboots; a stopped (previous) version stays stopped. A job
    // keeps compose's `no`: once done it stays done.
    const restart = service.restart ?? (job ? 'no' : 'unless-stopped');
    if (service.restart === undefined) out.restart = restart;
    out.labels = { [PROJECT_LABEL]: meta.project, [NODE_LABEL]: meta.node, [RESTART_LABEL]: restart };
    services[service.name] = out;
  }

  const networks: Record<string, unknown> = { [EDGE_NETWORK]: { name: EDGE_NETWORK, external: true } };
  for (const network of created) networks[network.key] = { name: appNetworkName(meta.app, network.key), external: true };
  const volumes = Object.fromEntries(model.volumes.map((v) => [v, { name: appVolumeName(meta.app, v) }]));
  const doc = new Document({ services, networks, ...(model.volumes.length > 0 ? { volumes } : {}) });
  for (const [service, key, tag] of tags) {
    const node = doc.getIn(['services', service, key], true);
    if (isNode(node)) node.tag = tag;
  }
  return { yaml: doc.toString(), strippedPorts };
}

/**
 * The app's networks Dynia creates and its services join: every one the file uses, except a `default` that only
 * the entry would be on. The entry reaches the world through `edge` anyway, and each network a container is on
 * costs the node's Docker daemon CPU on every start and every stop (a lone entry's redeploy: ~55 ms of ~330 ms).
 */
export const appNetworks = (model: AppModel, entry: string): AppNetwork[] =>
  model.networks.filter((n) => !(n.key === 'default' && n.services.length === 1 && n.services[0] === entry));

/** The app network every project of the app joins (Dynia creates it; compose only uses it). */
export const appNetworkName = (app: string, key: string): string => `${app}_${key}`;
/** One volume per named volume of the app, whatever project or colour mounts it. */
const appVolumeName = (app: string, key: string): string => `${app}_${key}`;

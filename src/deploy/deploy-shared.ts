/**
 * Pieces app:deploy and app:rollback share: the compose target of a project, the Caddyfile and manifest a
 * node should have for a given state, and moving a domain's stable upstream alias to a container.
 */
import { renderCaddyfile } from '../node/caddy/caddyfile.js';
import type { ComposeTarget } from '../node/compose-commands.js';
import { moveAliasCommand } from '../node/docker-commands.js';
import { appComposePath, appEnvPath, appOverridePath, appSrcDir, LAYOUT } from '../node/layout.js';
import { renderManifest } from '../node/manifest.js';
import { upstreamAlias } from '../node/caddy/upstream-alias.js';
import type { Remote } from '../remote/remote.js';
import type { State } from '../state/schema.js';
import { caddyAcme } from './caddy-config.js';
import { nodeManifest, nodeSites } from './node-sites.js';
import type { Settings } from '../lib/ports.js';

/** A deployed project's files on the node: the app's compose file, then Dynia's override, over its copy of the app directory. */
export const appTarget = (project: string): ComposeTarget => ({
  project,
  files: [appComposePath(project), appOverridePath(project)],
  projectDirectory: appSrcDir(project),
  envFile: appEnvPath(project),
});

/** The Caddyfile the node should run for this state. */
export const caddyfileFor = (settings: Settings, state: State, nodeName: string): string =>
  renderCaddyfile({ acme: caddyAcme(settings.acme), sites: nodeSites(state.nodes.find((n) => n.name === nodeName)!, state.deployments) });

export async function writeNodeManifest(remote: Remote, state: State, nodeName: string, now: Date): Promise<void> {
  const node = state.nodes.find((n) => n.name === nodeName)!;
  await remote.upload(LAYOUT.manifest, renderManifest(nodeManifest(node, state.deployments, now.toISOString())));
}

/** Re-joins `edge` under the domain's stable alias (an alias can only be given when connecting). */
export async function moveAlias(remote: Remote, container: string, domain: string): Promise<void> {
  await remote.exec(moveAliasCommand(container, upstreamAlias(domain)));
}

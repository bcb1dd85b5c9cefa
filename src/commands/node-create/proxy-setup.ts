/** node:create's node files and projects: the edge network, Caddy (the proxy) and the placeholder site. */
import { composePull, composeUp } from '../../node/compose-commands.js';
import { networkCreate, networkInspect } from '../../node/docker-commands.js';
import { LAYOUT, PLACEHOLDER_PROJECT, PROXY_PROJECT } from '../../node/layout.js';
import { renderPlaceholderCompose } from '../../node/caddy/placeholder-compose.js';
import { renderProxyCompose } from '../../node/caddy/proxy-compose.js';
import type { NodeSession, Settings } from '../../lib/ports.js';

const NODE_PROJECTS = [
  { project: PLACEHOLDER_PROJECT, files: [LAYOUT.placeholderCompose] },
  { project: PROXY_PROJECT, files: [LAYOUT.proxyCompose] },
];

const BOOTSTRAP_CADDYFILE = '# Replaced by Dynia as soon as Caddy runs.\n{\n\tadmin localhost:2019\n}\n';

/** Creates network edge and uploads the proxy and placeholder compose files (and the ACME root, if any). */
export async function uploadNodeFiles(session: NodeSession, nodeName: string, acme: Settings['acme']): Promise<void> {
  const ensureEdge = async () => {
    if ((await session.exec(networkInspect(), { allowFailure: true })).code !== 0) await session.exec(networkCreate());
  };
  // Caddy needs a config to start with; the real one is validated by this Caddy and loaded right after.
  const bootstrapCaddyfile = async () => {
    if ((await session.readFile(LAYOUT.caddyfile)) === null) await session.upload(LAYOUT.caddyfile, BOOTSTRAP_CADDYFILE);
  };
  // Independent round trips share the one connection as parallel channels.
  await Promise.all([
    ensureEdge(),
    session.upload(LAYOUT.proxyCompose, renderProxyCompose()),
    session.upload(LAYOUT.placeholderCompose, renderPlaceholderCompose(nodeName)),
    acme.caRootPem ? session.upload(LAYOUT.acmeRoot, acme.caRootPem) : undefined,
    bootstrapCaddyfile(),
  ]);
}

export async function pullNodeImages(session: NodeSession): Promise<void> {
  await Promise.all(NODE_PROJECTS.map((target) => session.exec(composePull(target), { timeoutMs: 600_000 })));
}

export async function startNodeProjects(session: NodeSession): Promise<void> {
  await Promise.all(NODE_PROJECTS.map((target) => session.exec(composeUp(target))));
}

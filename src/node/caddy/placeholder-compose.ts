import { stringify } from 'yaml';
import { validateNodeName } from '../../validate/node-name.js';
import { DEFAULT_CADDY_IMAGE, EDGE_NETWORK, PLACEHOLDER_CONTAINER, PLACEHOLDER_PORT } from '../layout.js';

/** What a node's domain serves until an app takes it over: 200 on every path (so the health path passes too). */
export function renderPlaceholderCompose(nodeName: string, image: string = DEFAULT_CADDY_IMAGE): string {
  // The body is a Go template for `caddy respond`; a validated node name cannot contain `{{`.
  const body = `Dynia node ${validateNodeName(nodeName, 'node name')} is ready; no app is deployed on this domain yet.\n`;
  return stringify({
    services: {
      placeholder: {
        image,
        container_name: PLACEHOLDER_CONTAINER,
        restart: 'unless-stopped',
        command: ['caddy', 'respond', '--listen', `:${PLACEHOLDER_PORT}`, '--status', '200', '--body', body],
        networks: [EDGE_NETWORK],
      },
    },
    networks: { [EDGE_NETWORK]: { external: true } },
  });
}

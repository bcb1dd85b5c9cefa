import { stringify } from 'yaml';
import { CADDY_CONTAINER, CADDY_DIR_IN_CONTAINER, DEFAULT_CADDY_IMAGE, EDGE_NETWORK } from '../layout.js';

/**
 * The node's Caddy: ports 80/443 on the host, the proxy directory mounted as a DIRECTORY (a file mount would
 * keep pointing at the old inode after an atomic rename), certificates in named volumes. The admin endpoint
 * stays on localhost:2019 inside the container; `docker exec ... caddy reload` reaches it there.
 */
export function renderProxyCompose(image: string = DEFAULT_CADDY_IMAGE): string {
  return stringify({
    services: {
      caddy: {
        image,
        container_name: CADDY_CONTAINER,
        restart: 'unless-stopped',
        ports: ['80:80', '443:443'],
        volumes: [`./:${CADDY_DIR_IN_CONTAINER}:ro`, 'caddy_data:/data', 'caddy_config:/config'],
        networks: [EDGE_NETWORK],
      },
    },
    volumes: { caddy_data: {}, caddy_config: {} },
    networks: { [EDGE_NETWORK]: { external: true } },
  });
}

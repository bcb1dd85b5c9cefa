/**
 * cloud-init for a fresh Ubuntu droplet: Docker Engine and the Compose v2 plugin from Ubuntu's archive.
 * Dynia waits for `docker info` over SSH afterwards, so the droplet may still be installing when it turns active.
 */
export const NODE_USER_DATA = `#cloud-config
package_update: true
packages:
  - docker.io
  - docker-compose-v2
runcmd:
  - systemctl enable --now docker
`;

/** Fixed addresses and names of the local sandbox, shared by its parts and by `dynia sandbox env`. */
import { join } from 'node:path';

export const SANDBOX = {
  /** Docker network of the sandbox's hosts (pebble, registry, resolvers, node hosts). */
  network: 'dynia-sandbox',
  subnet: '172.29.0.0/24',
  gateway: '172.29.0.1',
  pebbleIp: '172.29.0.2',
  registryIp: '172.29.0.3',
  /** Two independent "public resolvers" (dnsmasq, never forwarding), like 1.1.1.1 and 8.8.8.8. */
  resolverIps: ['172.29.0.4', '172.29.0.5'] as const,
  /** Node hosts get addresses from here up. */
  firstNodeHostOctet: 10,
  lastNodeHostOctet: 250,
  zone: 'dynia.test',
  zoneId: '023e105f4ecef8ad9ca31a8372d0c353',
  accountId: '01a7362d577a6c3019a474fd6f485823',
  workersSubdomain: 'sandbox',
  ports: { digitalocean: 4780, cloudflare: 4781, workers: 4782, registry: 5000, admin: 4783 },
  /** Docker label on every container the sandbox starts (so `down` removes exactly those). */
  label: 'dev.dynia.sandbox',
  /** Container names. */
  containers: { pebble: 'dynia-sb-pebble', registry: 'dynia-sb-registry', resolvers: ['dynia-sb-dns-a', 'dynia-sb-dns-b'] as const },
  /** Node host of droplet N: container `${dropletPrefix}N`. */
  dropletPrefix: 'dynia-sb-droplet-',
  /** Images built from this machine's Debian binaries by sandbox/scripts/build-images.sh. */
  images: {
    node: 'dynia-sandbox/node',
    acme: 'dynia-sandbox/acme',
    registry: 'dynia-sandbox/registry',
    caddy: 'dynia-sandbox/caddy',
    busybox: 'dynia-sandbox/busybox',
  },
  /** Docker Hub names the registry mirror serves from the start (hub name -> local image). */
  seedImages: [
    { hub: 'caddy:2', local: 'dynia-sandbox/caddy' },
    { hub: 'busybox:1.36', local: 'dynia-sandbox/busybox' },
    { hub: 'busybox:latest', local: 'dynia-sandbox/busybox' },
  ],
  /** Default DNS propagation delay per resolver (ms); changed at run time by POST http://127.0.0.1:4783/dns-delay (daemon admin). */
  dnsDelayMs: [500, 1500] as const,
} as const;

/** Work directory (keys, tokens, pebble roots, resolver hosts files, registry data, daemon pid/log). */
export const sandboxDir = (): string => process.env.DYNIA_SANDBOX_DIR ?? '/var/lib/dynia-sandbox';
export const sandboxPath = (...parts: string[]): string => join(sandboxDir(), ...parts);

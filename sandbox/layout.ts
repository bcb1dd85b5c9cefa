/** Fixed addresses and names of the local sandbox, shared by its parts and by `dynia sandbox env`. */
import { join } from 'node:path';

/** `DYNIA_SANDBOX_SLOT=N` (1-9) runs a second, independent sandbox beside the default one (slot 0) on the same
 *  dockerd: its own subnet, ports, container names, labels and directory, so parallel work does not collide. */
const slot = sandboxSlot(process.env.DYNIA_SANDBOX_SLOT);
const octet = (n: number): string => `172.29.${slot}.${n}`;
const suffix = slot === 0 ? '' : `-${slot}`;

function sandboxSlot(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  if (!/^[0-9]$/.test(raw)) throw new Error(`DYNIA_SANDBOX_SLOT must be a digit 0-9, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

export const SANDBOX = {
  slot,
  /** Docker network of the sandbox's hosts (pebble, registry, resolvers, node hosts). */
  network: `dynia-sandbox${suffix}`,
  subnet: `${octet(0)}/24`,
  gateway: octet(1),
  pebbleIp: octet(2),
  registryIp: octet(3),
  /** Two independent "public resolvers" (dnsmasq, never forwarding), like 1.1.1.1 and 8.8.8.8. */
  resolverIps: [octet(4), octet(5)] as const,
  /** Node hosts get addresses from here up. */
  firstNodeHostOctet: 10,
  lastNodeHostOctet: 250,
  zone: 'dynia.test',
  zoneId: '023e105f4ecef8ad9ca31a8372d0c353',
  accountId: '01a7362d577a6c3019a474fd6f485823',
  workersSubdomain: 'sandbox',
  ports: {
    digitalocean: 4780 + 10 * slot,
    cloudflare: 4781 + 10 * slot,
    workers: 4782 + 10 * slot,
    registry: 5000 + slot,
    admin: 4783 + 10 * slot,
  },
  /** Docker label on every container the sandbox starts (so `down` removes exactly those). */
  label: `dev.dynia.sandbox${suffix}`,
  /** iptables chain enforcing this slot's emulated Cloud Firewalls (hooked from OUTPUT and DOCKER-USER). */
  firewallChain: `DYNIA-FW${suffix}`,
  /** Container names. */
  containers: {
    pebble: `dynia-sb${suffix}-pebble`,
    registry: `dynia-sb${suffix}-registry`,
    resolvers: [`dynia-sb${suffix}-dns-a`, `dynia-sb${suffix}-dns-b`] as const,
  },
  /** Node host of droplet N: container `${dropletPrefix}N`. */
  dropletPrefix: `dynia-sb${suffix}-droplet-`,
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
export const sandboxDir = (): string => process.env.DYNIA_SANDBOX_DIR ?? `/var/lib/dynia-sandbox${suffix}`;
export const sandboxPath = (...parts: string[]): string => join(sandboxDir(), ...parts);

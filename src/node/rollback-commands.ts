/** Commands app:rollback needs beyond a deploy's: alias checks. */
import { RemoteError } from '../errors.js';
import type { Argv } from '../remote/quote.js';
import { EDGE_NETWORK } from './layout.js';

/** The container's networks with their aliases, as JSON (works on stopped containers too). */
export const containerNetworks = (container: string): Argv => ['docker', 'inspect', '-f', '{{json .NetworkSettings.Networks}}', container];

/** The names the container answers to on `network` (aliases and, on newer Docker, DNS names); [] when not on it. */
export function parseNetworkNames(stdout: string, network = EDGE_NETWORK): string[] {
  let networks: Record<string, { Aliases?: string[] | null; DNSNames?: string[] | null } | null>;
  try {
    networks = JSON.parse(stdout.trim() || 'null') ?? {};
  } catch (error) {
    throw RemoteError(`unexpected output from docker inspect: ${stdout.slice(0, 200)}`, undefined, error);
  }
  const entry = networks[network];
  return entry ? [...new Set([...(entry.Aliases ?? []), ...(entry.DNSNames ?? [])])] : [];
}

/**
 * The firewall part of `dynia status` (pure): the node's Cloud Firewall as found in the account, and drift,
 * i.e. host ports containers publish on every address that the firewall hides (someone wanted them reachable,
 * or forgot they are there; either way the node and the firewall disagree).
 */
import type { Firewall } from '../cloud/digitalocean.js';
import { reasonOf } from '../errors.js';
import type { NodeRecord } from '../state/schema.js';
import { describeFirewall, firewallOpens, pickNodeFirewall } from './plan.js';

export interface FirewallStatus {
  /** `found`: the node's firewall covers its droplet; `missing`: none does; `unknown`: the API failed. */
  status: 'found' | 'missing' | 'unknown';
  id?: string;
  name?: string;
  rules?: string;
  error?: string;
  /** Published host ports (all addresses) this firewall does not open. */
  hidden: Array<{ container: string; port: number }>;
}

/** `docker ps --format '{{.Names}}\t{{.Ports}}'` → the TCP host ports published on all addresses. */
export function parsePublishedPorts(stdout: string): Array<{ container: string; port: number }> {
  const found = new Map<string, { container: string; port: number }>();
  for (const line of stdout.split('\n')) {
    const [container = '', ports = ''] = line.split('\t');
    for (const entry of ports.split(',').map((p) => p.trim())) {
      const match = /^(0\.0\.0\.0|\[?::\]?):(\d+)(?:-(\d+))?->\d+(?:-\d+)?\/tcp$/.exec(entry);
      if (!match) continue;
      const [low, high] = [Number(match[2]), Number(match[3] ?? match[2])];
      for (let port = low; port <= high; port++) found.set(`${container}:${port}`, { container, port });
    }
  }
  return [...found.values()];
}

export function firewallStatus(
  node: NodeRecord,
  firewalls: Firewall[] | Error,
  published: Array<{ container: string; port: number }>,
): FirewallStatus {
  if (firewalls instanceof Error) return { status: 'unknown', error: reasonOf(firewalls), hidden: [] };
  const fw = pickNodeFirewall(firewalls, node.name, node.firewall?.id);
  if (!fw || (node.dropletId !== undefined && !fw.droplet_ids.includes(node.dropletId))) return { status: 'missing', hidden: [] };
  const hidden = published.filter((p) => !firewallOpens(fw, p.port));
  return { status: 'found', id: fw.id, name: fw.name, rules: describeFirewall(fw), hidden };
}

export const firewallCell = (f: FirewallStatus | undefined): string =>
  !f ? '-' : f.status === 'found' ? `${f.name}${f.hidden.length ? ' (drift)' : ''}` : f.status;

export function firewallProblems(node: string, f: FirewallStatus | undefined): string[] {
  if (!f) return [];
  if (f.status === 'unknown') return [`${node}: firewall unknown (${f.error})`];
  if (f.status === 'missing')
    return [`${node}: no Cloud Firewall: every port published on it is reachable (dynia node:harden --name ${node})`];
  return f.hidden.map(
    (h) =>
      `${node}: container ${h.container} publishes port ${h.port}, which the firewall hides (drift: drop the publish, or deliberately allow it)`,
  );
}

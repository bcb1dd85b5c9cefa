/** Which hosts a set of firewalls covers and what each lets in (pure): the input of the packet filter. */
import { isIPv4 } from 'node:net';
import type { HostPolicy } from '../ports.js';
import type { RuleTarget } from './firewall-request.js';
import type { FirewallRecord } from './firewall-store.js';

export interface PolicyDroplet {
  id: number;
  ip: string;
  tags: string[];
}

/** IPv4 sources of a rule: addresses as given, droplets and tags as their hosts' addresses (the emulated hosts
 *  have no IPv6; load balancers and clusters do not exist here, so they match nothing). */
function sourceAddresses(target: RuleTarget, droplets: readonly PolicyDroplet[]): string[] {
  const ofDroplets = droplets.filter((d) => target.droplet_ids?.includes(d.id) || d.tags.some((t) => target.tags?.includes(t)));
  const addresses = (target.addresses ?? []).filter((a) => isIPv4(a.split('/')[0]!));
  return [...new Set([...addresses, ...ofDroplets.map((d) => `${d.ip}/32`)])];
}

export function hostPolicies(firewalls: readonly FirewallRecord[], droplets: readonly PolicyDroplet[]): HostPolicy[] {
  const policies: HostPolicy[] = [];
  for (const droplet of [...droplets].sort((a, b) => a.id - b.id)) {
    const covering = firewalls.filter((f) => f.droplet_ids.includes(droplet.id) || droplet.tags.some((t) => f.tags.includes(t)));
    if (covering.length === 0 || !droplet.ip) continue;
    const allow = covering.flatMap((f) =>
      f.inbound_rules.map((rule) => ({ protocol: rule.protocol, ports: rule.ports, sources: sourceAddresses(rule.sources, droplets) })),
    );
    policies.push({ dropletId: droplet.id, ip: droplet.ip, allow });
  }
  return policies;
}

/**
 * A node's Cloud Firewall as data (pure): one per node, named `dynia-<node>`, attached by droplet id. In: TCP 22
 * (from `sshFrom`, default anywhere), TCP 80 and 443 and ICMP from anywhere; out: everything. Anything else an
 * app or a mistake publishes on the node stays closed.
 */
import type { Firewall, FirewallRequest, InboundRule, OutboundRule } from '../cloud/digitalocean.js';

export const ANYWHERE = ['0.0.0.0/0', '::/0'];
/** What the firewall lets in from anywhere (besides ICMP); 22 only from `sshFrom`. */
const PUBLIC_TCP_PORTS = [80, 443] as const;
const SSH_PORT = 22;

const firewallName = (node: string): string => `dynia-${node}`;

export function inboundRules(sshFrom: readonly string[] = ANYWHERE): InboundRule[] {
  return [
    { protocol: 'tcp', ports: String(SSH_PORT), sources: { addresses: [...sshFrom] } },
    ...PUBLIC_TCP_PORTS.map((port): InboundRule => ({ protocol: 'tcp', ports: String(port), sources: { addresses: [...ANYWHERE] } })),
    { protocol: 'icmp', ports: '0', sources: { addresses: [...ANYWHERE] } },
  ];
}

export const OUTBOUND_RULES: OutboundRule[] = (['tcp', 'udp', 'icmp'] as const).map((protocol) => ({
  protocol,
  ports: '0',
  destinations: { addresses: [...ANYWHERE] },
}));

/** Rules compare by protocol, ports and sorted address lists ("all" and "0" are the same ports). */
function ruleKey(rule: {
  protocol: string;
  ports: string;
  sources?: { addresses?: string[] };
  destinations?: { addresses?: string[] };
}): string {
  const target = rule.sources ?? rule.destinations ?? {};
  const ports = rule.protocol === 'icmp' || rule.ports === 'all' ? '0' : rule.ports;
  return JSON.stringify([
    rule.protocol,
    ports,
    [...(target.addresses ?? [])].sort(),
    Object.keys(target)
      .filter((k) => k !== 'addresses')
      .sort(),
  ]);
}
type RuleLike = Parameters<typeof ruleKey>[0];
const sameRules = (a: readonly RuleLike[], b: readonly RuleLike[]): boolean =>
  JSON.stringify(a.map(ruleKey).sort()) === JSON.stringify(b.map(ruleKey).sort());

export type FirewallPlan =
  | { action: 'create'; request: FirewallRequest }
  | { action: 'update'; id: string; request: FirewallRequest; why: string[] }
  | { action: 'none'; id: string };

/** What to do so that `existing` (found by id or name) is the node's firewall with these rules on this droplet.
 *  Other droplets and tags someone added to it are kept. */
export function planFirewall(node: string, dropletId: number, sshFrom: readonly string[], existing: Firewall | undefined): FirewallPlan {
  const wanted = { inboundRules: inboundRules(sshFrom), outboundRules: OUTBOUND_RULES };
  if (!existing) return { action: 'create', request: { name: firewallName(node), ...wanted, dropletIds: [dropletId] } };
  const why = [
    ...(sameRules(existing.inbound_rules, wanted.inboundRules) ? [] : ['inbound rules']),
    ...(sameRules(existing.outbound_rules, wanted.outboundRules) ? [] : ['outbound rules']),
    ...(existing.droplet_ids.includes(dropletId) ? [] : [`droplet ${dropletId}`]),
  ];
  if (why.length === 0) return { action: 'none', id: existing.id };
  const dropletIds = [...new Set([...existing.droplet_ids, dropletId])];
  return { action: 'update', id: existing.id, request: { name: existing.name, ...wanted, dropletIds, tags: existing.tags }, why };
}

/** The firewall among `all` that belongs to the node: the recorded id, else the node's name. */
export const pickNodeFirewall = (all: readonly Firewall[], node: string, knownId?: string): Firewall | undefined =>
  all.find((f) => f.id === knownId) ?? all.find((f) => f.name === firewallName(node));

/** The addresses the firewall lets reach port 22 (empty: nobody). */
export const sshSources = (firewall: Firewall): string[] =>
  firewall.inbound_rules.filter((r) => r.protocol === 'tcp' && portsCover(r.ports, SSH_PORT)).flatMap((r) => r.sources.addresses ?? []);

function portsCover(ports: string, port: number): boolean {
  if (ports === '0' || ports === 'all') return true;
  const [low, high = low] = ports.split('-').map(Number);
  return port >= low! && port <= high!;
}

/** True when some inbound rule opens TCP `port` (a published port it does not open is hidden: drift). */
export const firewallOpens = (firewall: Firewall, port: number): boolean =>
  firewall.inbound_rules.some((r) => r.protocol === 'tcp' && portsCover(r.ports, port));

/** One line for `status`: `dynia-web-1 (succeeded): tcp 22 from 203.0.113.7/32; tcp 80, 443; icmp`. */
export function describeFirewall(firewall: Firewall): string {
  const parts = firewall.inbound_rules.map((r) => {
    const from = r.sources.addresses ?? [];
    const anywhere = ANYWHERE.every((a) => from.includes(a)) && from.length === ANYWHERE.length;
    return `${r.protocol}${r.protocol === 'icmp' ? '' : ` ${r.ports === '0' ? 'all' : r.ports}`}${anywhere ? '' : ` from ${from.join(',') || 'nowhere'}`}`;
  });
  return `${firewall.name} (${firewall.status}): ${parts.join('; ')}`;
}

/** state:rebuild: each node gets the firewall named after it that covers its droplet, as the account has it. */
export function attachFirewalls(
  nodes: Array<{ name: string; dropletId?: number; firewall?: { id: string; name: string; sshFrom: string[] } }>,
  firewalls: readonly Firewall[],
): void {
  for (const node of nodes) {
    const fw = firewalls.find(
      (f) => f.name === firewallName(node.name) && node.dropletId !== undefined && f.droplet_ids.includes(node.dropletId),
    );
    const sshFrom = fw ? sshSources(fw) : [];
    if (fw && sshFrom.length > 0) node.firewall = { id: fw.id, name: fw.name, sshFrom };
    else delete node.firewall;
  }
}

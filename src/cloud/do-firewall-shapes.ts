/** DigitalOcean Cloud Firewall objects as the API documents them (`/v2/firewalls`). */
import { z } from 'zod';

const Target = z.object({
  addresses: z.array(z.string()).optional(),
  droplet_ids: z.array(z.number().int()).optional(),
  load_balancer_uids: z.array(z.string()).optional(),
  kubernetes_ids: z.array(z.string()).optional(),
  tags: z.array(z.string()).nullable().optional(),
});

const InboundRule = z.object({ protocol: z.enum(['tcp', 'udp', 'icmp']), ports: z.string(), sources: Target });
const OutboundRule = z.object({ protocol: z.enum(['tcp', 'udp', 'icmp']), ports: z.string(), destinations: Target });

export const Firewall = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['waiting', 'succeeded', 'failed']),
  created_at: z.string(),
  inbound_rules: z
    .array(InboundRule)
    .nullable()
    .transform((r) => r ?? []),
  outbound_rules: z
    .array(OutboundRule)
    .nullable()
    .transform((r) => r ?? []),
  droplet_ids: z
    .array(z.number().int())
    .nullable()
    .transform((d) => d ?? []),
  tags: z
    .array(z.string())
    .nullable()
    .transform((t) => t ?? []),
});

export type Firewall = z.infer<typeof Firewall>;
export type InboundRule = z.infer<typeof InboundRule>;
export type OutboundRule = z.infer<typeof OutboundRule>;

/** What Dynia asks for: the rules and the droplets behind the firewall (tags stay as they are). */
export interface FirewallRequest {
  name: string;
  inboundRules: InboundRule[];
  outboundRules: OutboundRule[];
  dropletIds: number[];
  tags?: string[];
}

export const firewallBody = (req: FirewallRequest) => ({
  name: req.name,
  inbound_rules: req.inboundRules,
  outbound_rules: req.outboundRules,
  droplet_ids: req.dropletIds,
  tags: req.tags ?? [],
});

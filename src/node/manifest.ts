import { z } from 'zod';
import { StateError } from '../errors.js';
import { Deployment, FirewallRef } from '../state/schema.js';

export const MANIFEST_VERSION = 1;

/** A domain routed by this node's Caddy; `project` is the deployment serving it (absent: the placeholder). */
export const Binding = z.object({
  domain: z.string().min(1),
  upstream: z.object({ alias: z.string().min(1), port: z.number().int().min(1).max(65535) }),
  project: z.string().optional(),
});

/** `/opt/dynia/node.json`: the node's own record, enough to rebuild local state from the node alone. */
export const NodeManifest = z.object({
  version: z.literal(MANIFEST_VERSION),
  name: z.string().min(1),
  fqdn: z.string().min(1),
  healthPath: z.string().startsWith('/'),
  bindings: z.array(Binding),
  deployments: z.array(Deployment),
  /** Absent on nodes from before firewalls (node:harden adds it). */
  firewall: FirewallRef.optional(),
  updatedAt: z.string(),
});

export type Binding = z.infer<typeof Binding>;
export type NodeManifest = z.infer<typeof NodeManifest>;

/** Deterministic JSON (bindings sorted by domain) so an unchanged node writes identical bytes. */
export function renderManifest(manifest: NodeManifest): string {
  const bindings = [...manifest.bindings].sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
  return `${JSON.stringify({ ...manifest, bindings }, null, 2)}\n`;
}

export function parseManifest(text: string, source = 'node.json'): NodeManifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw StateError(
      `${source} is not valid JSON (${(error as Error).message}).`,
      'Inspect the file on the node; `dynia node:create` rewrites it.',
    );
  }
  const result = NodeManifest.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw StateError(
    `${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}.`,
    'The manifest was written by another Dynia version or edited by hand; fix or remove it and re-run `dynia node:create`.',
  );
}

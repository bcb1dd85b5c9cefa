import { z } from 'zod';

/** Bumped on every incompatible change; a file from a newer version is refused, never overwritten. */
export const STATE_VERSION = 1;

/** Where a domain on a node sends its traffic. */
export const Target = z.object({ service: z.string().min(1), port: z.number().int().min(1).max(65535) });

/** The node's DigitalOcean Cloud Firewall (one per node, `dynia-<name>`) and who may reach its port 22. */
export const FirewallRef = z.object({ id: z.string().min(1), name: z.string().min(1), sshFrom: z.array(z.string()).min(1) });

export const NodeRecord = z.object({
  name: z.string().min(1),
  ip: z.string(),
  fqdn: z.string().min(1),
  createdAt: z.string(),
  /** creating → active; failed when a create stopped half-way (a re-run of node:create finishes it). */
  status: z.enum(['creating', 'active', 'failed']),
  healthPath: z.string().startsWith('/'),
  /** The node FQDN's binding: the placeholder until an app takes it over. */
  caddy: z.object({ domain: z.string(), target: Target }),
  dropletId: z.number().int().optional(),
  dnsRecordId: z.string().optional(),
  /** Pinned on first SSH contact as `ssh-ed25519 AAAA...` (algorithm + base64 key). */
  sshHostKey: z.string().optional(),
  firewall: FirewallRef.optional(),
  /** Names of the node:create steps done so far: shown on a resume; a re-run repeats every step (each is idempotent). */
  stepsDone: z.array(z.string()).default([]),
});

export const Deployment = z.object({
  node: z.string(),
  app: z.string(),
  /** Compose project on the node (one per deploy: blue/green). */
  project: z.string(),
  composeHash: z.string(),
  entryService: z.string(),
  entryPort: z.number().int().min(1).max(65535),
  domain: z.string(),
  status: z.enum(['active', 'superseded', 'failed', 'rolled-back']),
  reason: z.string().optional(),
  /** Per data service, the hash of its definition and files: an unchanged one is left running untouched. */
  dataHashes: z.record(z.string(), z.string()).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const SlbRecord = z.object({
  name: z.string(),
  url: z.string(),
  origins: z.array(z.string()),
  publishedAt: z.string(),
  /** sha256 of the uploaded Worker code and compatibility date: an unchanged sync skips the upload. */
  codeHash: z.string().optional(),
});

export const State = z.object({
  version: z.number().int(),
  nodes: z.array(NodeRecord),
  deployments: z.array(Deployment),
  slb: SlbRecord.optional(),
});

export type Target = z.infer<typeof Target>;
export type NodeRecord = z.infer<typeof NodeRecord>;
export type FirewallRef = z.infer<typeof FirewallRef>;
export type Deployment = z.infer<typeof Deployment>;
export type SlbRecord = z.infer<typeof SlbRecord>;
export type State = z.infer<typeof State>;

export const emptyState = (): State => ({ version: STATE_VERSION, nodes: [], deployments: [] });

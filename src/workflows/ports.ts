/**
 * What workflows are given: typed cloud clients, the state transaction, a way to open a node session, the
 * settings they need, and a reporter. The CLI builds the real ones; tests pass fakes.
 */
import type { CloudflareClient } from '../cloud/cloudflare.js';
import type { DigitalOceanClient } from '../cloud/digitalocean.js';
import type { ResolverAddress } from '../dns/verdict.js';
import type { ProbeResult } from '../health/probe.js';
import type { Remote } from '../remote/remote.js';
import type { StateTx } from '../state/store.js';
import type { NodeRecord } from '../state/schema.js';
import type { Reporter } from './steps.js';

export interface NodeSession extends Remote {
  close(): Promise<void>;
  readonly stats: { connections: number; commands: number };
}

export interface Settings {
  domain: string;
  zoneId: string;
  resolvers: ResolverAddress[];
  acme: { ca: string; caRootPem?: string; email?: string };
  sshKeyPath: string;
}

export interface WorkflowDeps {
  tx: StateTx;
  digitalocean: DigitalOceanClient;
  cloudflare: CloudflareClient;
  settings: Settings;
  reporter: Reporter;
  /** One SSH session per node per command; pins the host key on first contact, verifies it after. */
  connect(node: NodeRecord, onHostKey: (key: string) => Promise<void>, options?: { timeoutMs?: number }): Promise<NodeSession>;
  /** One HTTPS health probe of a public URL; default: probeHttps through `settings.resolvers`. */
  probe?(url: string): Promise<ProbeResult>;
}

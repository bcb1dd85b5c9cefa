/**
 * The one set of narrow interfaces every workflow receives (each takes the `Pick<>` of it it needs): the cloud
 * calls, the state transaction, node sessions, DNS, the clock, the HTTPS probe, the local user, the reporter
 * and the settings. The CLI builds the real ones in one place (cli/context.ts); tests pass fakes
 * (test/unit/workflow-fakes.ts).
 */
import type { CloudflareClient } from '../cloud/cloudflare.js';
import type { DigitalOceanClient } from '../cloud/digitalocean.js';
import type { DnsQuery, PropagationOptions } from '../dns/propagation.js';
import type { ResolverAddress } from '../dns/verdict.js';
import type { ProbeResult } from '../health/probe.js';
import type { Remote } from '../remote/remote.js';
import type { StateTx } from '../state/store.js';
import type { Clock } from './clock.js';
import type { Reporter } from './steps.js';

/** The DigitalOcean calls workflows make; the real client implements them. */
export type DigitalOceanApi = Pick<
  DigitalOceanClient,
  | 'listSshKeys'
  | 'createSshKey'
  | 'createDroplet'
  | 'getDroplet'
  | 'listDroplets'
  | 'deleteDroplet'
  | 'listFirewalls'
  | 'createFirewall'
  | 'updateFirewall'
  | 'removeFirewallDroplets'
  | 'deleteFirewall'
>;

/** The Cloudflare Worker calls slb:sync makes: script, workers.dev, routes, the KV namespace, the cron. */
export type CloudflareWorkersApi = Pick<
  CloudflareClient,
  | 'uploadWorkerModule'
  | 'getWorkerSettings'
  | 'getWorkersSubdomain'
  | 'enableWorkersDev'
  | 'listWorkerRoutes'
  | 'createWorkerRoute'
  | 'listKvNamespaces'
  | 'createKvNamespace'
  | 'getWorkerSchedules'
  | 'putWorkerSchedules'
>;

/** The Cloudflare calls workflows make (DNS records, the Worker, slb:status's KV read); the real client implements them. */
export type CloudflareApi = CloudflareWorkersApi &
  Pick<CloudflareClient, 'listDnsRecords' | 'createDnsRecord' | 'updateDnsRecord' | 'deleteDnsRecord' | 'upsertARecord' | 'readKvValue'>;

export interface NodeSession extends Remote {
  close(): Promise<void>;
  readonly stats: { connections: number; commands: number };
}

/** Where a node is reached, and the host key pinned for it (none: trust on first use). */
export interface NodeAddress {
  name: string;
  ip: string;
  sshHostKey?: string | undefined;
}

export interface Dns {
  /** Asks one resolver for the A records of a name. */
  query: DnsQuery;
  /** Polls every resolver (with `query`, on the clock) until all answer the expected IP. */
  waitForPropagation(options: PropagationOptions): Promise<{ ms: number; polls: number }>;
}

export interface Settings {
  domain: string;
  zoneId: string;
  resolvers: ResolverAddress[];
  acme: { ca: string; caRootPem?: string; email?: string };
  sshKeyPath: string;
}

/** What this machine last uploaded to a node's project (its `files.json`), kept locally (upload-records.ts). */
export interface UploadRecords {
  read(node: string, project: string): Promise<string | null>;
  /** Never fails: a record that cannot be written is only a slower next deploy. */
  write(node: string, project: string, text: string): Promise<void>;
}

export interface WorkflowDeps {
  tx: StateTx;
  digitalocean: DigitalOceanApi;
  cloudflare: CloudflareApi;
  settings: Settings;
  reporter: Reporter;
  /** One SSH session per node per command; pins the host key on first contact, verifies it after. */
  connect(node: NodeAddress, onHostKey: (key: string) => Promise<void>, options?: { timeoutMs?: number }): Promise<NodeSession>;
  /** One HTTPS health probe of a public URL through `settings.resolvers` (default timeout 5 s). */
  probe(url: string, timeoutMs?: number): Promise<ProbeResult>;
  /** Opens the connection the next probe of `url` will use (its TLS handshake done by then); nothing is sent. */
  preconnect(url: string): void;
  dns: Dns;
  clock: Clock;
  /** Who runs the command (the local user name), for audit lines. */
  user(): string;
  uploads: UploadRecords;
}

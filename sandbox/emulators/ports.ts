/**
 * What the cloud emulators need from the local machine. The sandbox wires real parts in
 * (Docker containers, dnsmasq, workerd); emulator tests wire in small fakes.
 */

/** Starts and removes the "machines" behind emulated droplets. */
export interface HostDriver {
  /** Starts a host and returns at once; `ip` is its public IPv4 (reachable from this machine). */
  create(spec: {
    dropletId: number;
    name: string;
    authorizedKeys: string[];
    userData?: string;
    tags: string[];
    /** Kept with the host so `list()` describes the droplet faithfully after an emulator restart. */
    sizeSlug: string;
    region: string;
    image: string;
  }): Promise<{ ip: string }>;
  /** True once sshd on the host answers (the droplet turns `active` then). */
  isReady(dropletId: number): Promise<boolean>;
  destroy(dropletId: number): Promise<void>;
  /** Hosts that exist now (lets the emulator survive its own restart). */
  list(): Promise<DropletHostRecord[]>;
}

/** What a host keeps about its droplet: enough to rebuild the emulator's view after a restart. */
export interface DropletHostRecord {
  dropletId: number;
  name: string;
  ip: string;
  tags: string[];
  createdAt: string;
  sizeSlug: string;
  region: string;
  image: string;
}

/** Receives the A records of a zone whenever they change; publishes them to the DNS resolvers. */
export interface DnsSink {
  publish(zone: string, records: Array<{ name: string; type: string; content: string; ttl: number }>): void;
}

/** Runs uploaded Worker scripts (in workerd) and serves them on a local URL. */
export interface WorkerRuntime {
  deploy(script: {
    name: string;
    mainModule: string;
    modules: Array<{ name: string; content: string; type: 'esm' | 'commonjs' | 'text' | 'json' }>;
    bindings: Record<string, string>;
    /** KV namespace bindings: binding name → namespace id (values live in the runtime's KV storage). */
    kvNamespaces?: Record<string, string>;
    compatibilityDate?: string;
  }): Promise<void>;
  remove(name: string): Promise<void>;
  /** Runs the script's `scheduled` handler once, as a Cron Trigger would; resolves with its outcome (`ok`, `exception`, ...). */
  scheduled?(name: string, cron: string): Promise<string>;
}

/** A key's value with what Workers KV keeps beside it. */
export interface KvEntry {
  value: Uint8Array;
  /** Seconds since the epoch. */
  expiration?: number;
  metadata?: unknown;
}

/** The values of Workers KV namespaces, shared with the Worker runtime's KV bindings. */
export interface KvStore {
  get(namespaceId: string, key: string): Promise<KvEntry | null>;
  put(namespaceId: string, key: string, entry: KvEntry): Promise<void>;
  delete(namespaceId: string, key: string): Promise<void>;
  /** Keys in lexicographic order; `cursor` continues a previous listing. */
  list(
    namespaceId: string,
    options: { prefix?: string; limit: number; cursor?: string },
  ): Promise<{
    keys: Array<{ name: string; expiration?: number; metadata?: unknown }>;
    cursor?: string;
  }>;
  /** Drops every value of a deleted namespace. */
  clear(namespaceId: string): Promise<void>;
}

/** What one host lets in: each entry allows a protocol and port range ("0": all) from source addresses/CIDRs. */
export interface HostPolicy {
  dropletId: number;
  ip: string;
  allow: Array<{ protocol: 'tcp' | 'udp' | 'icmp'; ports: string; sources: string[] }>;
}

/** Enforces Cloud Firewalls outside the hosts, as the cloud's network does: a host with a policy gets only
 *  what it allows (plus replies to its own connections); hosts without one stay open. */
export interface PacketFilter {
  apply(policies: HostPolicy[]): Promise<void>;
}

/**
 * The world a fault-injected command runs against: DigitalOcean droplets, Cloudflare DNS records and Workers,
 * node hosts that keep their files, networks, compose projects and Caddy's loaded config across sessions,
 * and the state as last committed. Every call goes through a FaultClock gate (fault-harness.ts). DNS answers
 * come from the records (fake DNS, no UDP) and time is virtual, so node:create's real propagation check runs
 * without waiting.
 */
import {
  CloudflareClient,
  type DnsRecord,
  type DnsRecordInput,
  type WorkerModuleUpload,
  type WorkerRoute,
} from '../../src/cloud/cloudflare.js';
import type { CreateDropletRequest, Droplet, Firewall, FirewallRequest } from '../../src/cloud/digitalocean.js';
import { RemoteError } from '../../src/errors.js';
import { LAYOUT, PLACEHOLDER_PROJECT, PROXY_PROJECT } from '../../src/node/layout.js';
import type { Argv } from '../../src/remote/quote.js';
import type { ExecOptions, ExecResult } from '../../src/remote/remote.js';
import { emptyState, State } from '../../src/state/schema.js';
import type { StateTx } from '../../src/state/store.js';
import type { CloudflareApi, DigitalOceanApi, Settings, WorkflowDeps } from '../../src/lib/ports.js';
import type { Reporter } from '../../src/lib/steps.js';
import { simulateApp, type FakeContainer } from './fault-apps.js';
import type { FaultClock } from './fault-harness.js';
import { FakeClock, fakeCloudflare, fakeDigitalOcean, fakeDns, FakeNode, memoryUploads, plainCompose } from './workflow-fakes.js';

export const ZONE = 'zone-1';
export const ACCOUNT = 'acct-1';
export const DOMAIN = 'example.com';
const inContainer = (path: string) => path.replace('/etc/caddy/', `${LAYOUT.proxyDir}/`);

/** One node host: what survives the SSH session that changed it. */
export class FakeHost {
  readonly files = new Map<string, string>();
  readonly networks = new Set<string>();
  readonly running = new Set<string>();
  /** Containers of app colour projects (fault-apps.ts). */
  readonly containers = new Map<string, FakeContainer>();
  /** The Caddyfile text Caddy runs (read when it starts or reloads). */
  caddyLoaded?: string;

  constructor(
    readonly ip: string,
    readonly hostKey: string,
  ) {}

  /** A command's effect on the host; unknown commands succeed with no output (see the harness doc). */
  simulate(argv: Argv, stdin?: string): Partial<ExecResult> {
    const app = simulateApp(this, argv, stdin);
    if (app) return app;
    const line = argv.join(' ');
    if (line === 'docker info --format {{.ServerVersion}}') return { stdout: '27.5.1\n' };
    if (argv[0] === 'docker' && argv[1] === 'network' && argv[2] === 'inspect')
      return { code: this.networks.has(argv[3]!) ? 0 : 1, stderr: this.networks.has(argv[3]!) ? '' : 'network not found' };
    if (argv[0] === 'docker' && argv[1] === 'network' && argv[2] === 'create') return (this.networks.add(argv[3]!), {});
    if (argv[0] === 'docker' && argv[1] === 'compose' && argv.includes('up')) {
      const project = argv[3]!;
      if (project === PROXY_PROJECT && !this.running.has(project)) this.caddyLoaded = this.files.get(LAYOUT.caddyfile);
      this.running.add(project);
      return {};
    }
    if (argv[0] === 'docker' && argv[1] === 'exec' && argv[3] === 'caddy') {
      if (!this.running.has(PROXY_PROJECT)) return { code: 1, stderr: 'Error response from daemon: container dynia-caddy is not running' };
      const text = this.files.get(inContainer(argv[argv.indexOf('--config') + 1]!));
      if (text === undefined) return { code: 1, stderr: 'no such file' };
      if (argv[4] === 'reload') this.caddyLoaded = text;
      return {};
    }
    if (argv[0] === 'mv') {
      const text = this.files.get(argv[1]!);
      if (text === undefined) return { code: 1, stderr: `mv: cannot stat '${argv[1]}'` };
      this.files.delete(argv[1]!);
      this.files.set(argv[2]!, text);
      return {};
    }
    if (argv[0] === 'sh' && argv[2] === 'cat >> "$1"')
      return (this.files.set(argv[4]!, (this.files.get(argv[4]!) ?? '') + (stdin ?? '')), {});
    return {};
  }

  /** What https://<fqdn>/… answers: Caddy runs, has the site loaded, the placeholder runs. */
  serves(fqdn: string): boolean {
    return this.running.has(PROXY_PROJECT) && this.running.has(PLACEHOLDER_PROJECT) && (this.caddyLoaded ?? '').includes(`${fqdn} {`);
  }
}

/** An SSH session to a host: the recording fake, gated, its effects applied to the host. */
class FakeSession extends FakeNode {
  private lost = false;
  constructor(
    private readonly host_: FakeHost,
    private readonly clock: FaultClock,
  ) {
    super(host_.ip, false); // the host simulates the drain and its stop (fault-apps.ts)
  }
  private through<T>(label: string, effect: () => Promise<T>): Promise<T> {
    if (this.lost) return Promise.reject(RemoteError(`on ${this.host}: connection closed`));
    return this.clock.gate('ssh', `ssh ${label}`, effect, () => (this.lost = true));
  }
  override exec(argv: Argv, options: ExecOptions = {}): Promise<ExecResult> {
    return this.through(
      plainCompose(argv)
        .join(' ')
        .replace(/ -f \S+/g, '')
        .slice(0, 70),
      () => {
        this.on(
          () => true,
          (a, stdin) => this.host_.simulate(a, stdin),
          1,
        );
        return super.exec(argv, options);
      },
    );
  }
  override upload(path: string, content: string | Buffer, mode?: number): Promise<void> {
    return this.through(`upload ${path}`, async () => {
      await super.upload(path, content, mode);
      this.host_.files.set(path, content.toString());
    });
  }
  override readFile(path: string): Promise<string | null> {
    return this.through(`read ${path}`, async () => (await super.readFile(path), this.host_.files.get(path) ?? null));
  }
}

export class World {
  readonly droplets = new Map<number, Droplet>();
  readonly records = new Map<string, DnsRecord>();
  readonly firewalls = new Map<string, Firewall>();
  /** What the operator's machine recorded of its uploads: kept across runs, as the local cache is. */
  readonly uploads = memoryUploads();
  readonly hosts = new Map<string, FakeHost>();
  readonly scripts = new Map<string, { upload: WorkerModuleUpload; workersDev: boolean }>();
  readonly routes: WorkerRoute[] = [];
  readonly kvNamespaces: Array<{ id: string; title: string }> = [];
  readonly schedules = new Map<string, string[]>();
  /** The state file: only commits that happened are in it. */
  state: State = emptyState();
  /** A state set aside by a scenario (state:rebuild: the file that was lost). */
  lost?: State;
  /** What the reporter printed (info and warnings). */
  readonly messages: string[] = [];
  /** Virtual time, shared by every run against this world (deployments are ordered by their creation time). */
  readonly time = new FakeClock();
  /** What the resolvers answer: mirrored from the A records. */
  private readonly dns = new Map<string, string[]>();
  private nextId = 100;

  get settings(): Settings {
    return {
      domain: DOMAIN,
      zoneId: ZONE,
      resolvers: [{ host: '127.0.0.1', port: 53 }], // named in messages only: fakeDns answers
      acme: { ca: 'https://acme.example/dir' },
      sshKeyPath: '/k',
    };
  }

  private syncDns(): void {
    this.dns.clear();
    for (const r of this.records.values()) this.dns.set(r.name, [...(this.dns.get(r.name) ?? []), r.content]);
  }

  reporter(clock: FaultClock): Reporter {
    return {
      stepStart: (title) => void (clock.step = title),
      stepDone() {},
      stepSkipped() {},
      info: (m) => void this.messages.push(m),
      warn: (m) => void this.messages.push(m),
    };
  }

  tx(clock: FaultClock): StateTx {
    const world = this;
    return {
      get state() {
        return world.state;
      },
      commit: (mutator) =>
        clock.gate('state', 'state commit', () => {
          const draft = structuredClone(world.state);
          return (world.state = State.parse(mutator(draft) ?? draft));
        }),
    };
  }

  digitalocean(clock: FaultClock): DigitalOceanApi {
    const gate = <T>(label: string, write: boolean, effect: () => T) =>
      clock.gate(write ? 'cloud-write' : 'cloud-read', `DO ${label}`, effect);
    return fakeDigitalOcean({
      createDroplet: (req: CreateDropletRequest) =>
        gate('POST /v2/droplets', true, () => {
          const id = this.nextId++;
          const droplet: Droplet = {
            id,
            name: req.name,
            status: 'new',
            created_at: new Date(0).toISOString(),
            size_slug: req.size,
            region: { slug: req.region },
            tags: req.tags,
            networks: { v4: [] },
          };
          this.droplets.set(id, droplet);
          return structuredClone(droplet);
        }),
      /** A droplet boots by the first time it is looked at: its host then answers SSH. */
      getDroplet: (id: number) =>
        gate(`GET /v2/droplets/${id}`, false, () => (this.droplets.has(id) ? structuredClone(this.boot(id)) : null)),
      listDroplets: (filter: { tagName?: string } = {}) =>
        gate('GET /v2/droplets', false, () =>
          [...this.droplets.values()].filter((d) => !filter.tagName || d.tags.includes(filter.tagName)).map((d) => structuredClone(d)),
        ),
      deleteDroplet: (id: number) =>
        gate(`DELETE /v2/droplets/${id}`, true, () => {
          const droplet = this.droplets.get(id);
          if (!droplet) return false;
          this.droplets.delete(id);
          const ip = droplet.networks.v4[0]?.ip_address;
          if (ip) this.hosts.delete(ip);
          // As in the real API: a deleted droplet leaves every firewall.
          for (const fw of this.firewalls.values()) fw.droplet_ids = fw.droplet_ids.filter((d) => d !== id);
          return true;
        }),
      listFirewalls: () => gate('GET /v2/firewalls', false, () => [...this.firewalls.values()].map((f) => structuredClone(f))),
      createFirewall: (req: FirewallRequest) =>
        gate('POST /v2/firewalls', true, () => {
          const fw = this.firewallFrom(`fw-${this.nextId++}`, req);
          this.firewalls.set(fw.id, fw);
          return structuredClone(fw);
        }),
      updateFirewall: (id: string, req: FirewallRequest) =>
        gate(`PUT /v2/firewalls/${id}`, true, () => {
          if (!this.firewalls.has(id)) throw new Error(`DigitalOcean PUT /v2/firewalls/${id}: HTTP 404`);
          const fw = this.firewallFrom(id, req);
          this.firewalls.set(id, fw);
          return structuredClone(fw);
        }),
      removeFirewallDroplets: (id: string, ids: number[]) =>
        gate(`DELETE /v2/firewalls/${id}/droplets`, true, () => {
          const fw = this.firewalls.get(id);
          if (fw) fw.droplet_ids = fw.droplet_ids.filter((d) => !ids.includes(d));
        }),
      deleteFirewall: (id: string) => gate(`DELETE /v2/firewalls/${id}`, true, () => this.firewalls.delete(id)),
    });
  }

  private firewallFrom(id: string, req: FirewallRequest): Firewall {
    return {
      id,
      name: req.name,
      status: 'succeeded',
      created_at: new Date(0).toISOString(),
      inbound_rules: structuredClone(req.inboundRules),
      outbound_rules: structuredClone(req.outboundRules),
      droplet_ids: [...req.dropletIds],
      tags: [...(req.tags ?? [])],
    };
  }

  private boot(id: number): Droplet {
    const droplet = this.droplets.get(id)!;
    if (droplet.status === 'new') {
      const ip = `203.0.113.${id - 90}`;
      droplet.status = 'active';
      droplet.networks.v4 = [{ ip_address: ip, type: 'public' }];
      this.hosts.set(ip, new FakeHost(ip, `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHost${id}`));
    }
    return droplet;
  }

  cloudflare(clock: FaultClock): CloudflareApi {
    const gate = <T>(label: string, write: boolean, effect: () => T) =>
      clock.gate(write ? 'cloud-write' : 'cloud-read', `CF ${label}`, effect);
    const put = (id: string, input: DnsRecordInput): DnsRecord => {
      const record = {
        id,
        type: input.type,
        name: input.name,
        content: input.content,
        ttl: input.ttl ?? 1,
        proxied: input.proxied ?? false,
      };
      this.records.set(id, record);
      this.syncDns();
      return { ...record };
    };
    const client: CloudflareApi = fakeCloudflare({
      listDnsRecords: (_zone: string, filter: { name?: string; type?: string } = {}) =>
        gate('GET /zones/dns_records', false, () =>
          [...this.records.values()]
            .filter((r) => (!filter.name || r.name === filter.name) && (!filter.type || r.type === filter.type))
            .map((r) => ({ ...r })),
        ),
      createDnsRecord: (_zone: string, input: DnsRecordInput) =>
        gate('POST /zones/dns_records', true, () => put(`rec-${this.nextId++}`, input)),
      updateDnsRecord: (_zone: string, id: string, input: DnsRecordInput) =>
        gate(`PUT /zones/dns_records/${id}`, true, () => put(id, input)),
      deleteDnsRecord: (_zone: string, id: string) =>
        gate(`DELETE /zones/dns_records/${id}`, true, () => {
          const had = this.records.delete(id);
          this.syncDns();
          return had;
        }),
      /** The real client's composite (list, then create / update / delete), over the gated calls above. */
      upsertARecord: (zone: string, wanted: { name: string; ip: string; ttl?: number; proxied?: boolean }) =>
        CloudflareClient.prototype.upsertARecord.call(client, zone, wanted),
      uploadWorkerModule: (_account: string, name: string, upload: WorkerModuleUpload) =>
        gate(
          `PUT /workers/scripts/${name}`,
          true,
          () => (this.scripts.set(name, { upload, workersDev: this.scripts.get(name)?.workersDev ?? false }), { id: name }),
        ),
      getWorkerSettings: (_account: string, name: string) =>
        gate(`GET /workers/scripts/${name}/settings`, false, () => {
          const script = this.scripts.get(name);
          return script ? { bindings: structuredClone(script.upload.bindings), compatibility_date: script.upload.compatibilityDate } : null;
        }),
      listKvNamespaces: () => gate('GET /storage/kv/namespaces', false, () => structuredClone(this.kvNamespaces)),
      createKvNamespace: (_account: string, title: string) =>
        gate('POST /storage/kv/namespaces', true, () => {
          const created = { id: `ns-${this.nextId++}`, title };
          this.kvNamespaces.push(created);
          return { ...created };
        }),
      getWorkerSchedules: (_account: string, name: string) =>
        gate(`GET /workers/scripts/${name}/schedules`, false, () =>
          this.scripts.has(name) ? [...(this.schedules.get(name) ?? [])] : null,
        ),
      putWorkerSchedules: (_account: string, name: string, crons: readonly string[]) =>
        gate(`PUT /workers/scripts/${name}/schedules`, true, () => void this.schedules.set(name, [...crons])),
      getWorkersSubdomain: () => gate('GET /workers/subdomain', false, () => 'acme'),
      enableWorkersDev: (_account: string, name: string) =>
        gate(`POST /workers/scripts/${name}/subdomain`, true, () => void (this.scripts.get(name)!.workersDev = true)),
      listWorkerRoutes: () => gate('GET /zones/workers/routes', false, () => structuredClone(this.routes)),
      createWorkerRoute: (_zone: string, route: { pattern: string; script: string }) =>
        gate('POST /zones/workers/routes', true, () => {
          const created = { id: `route-${this.nextId++}`, ...route };
          this.routes.push(created);
          return { ...created };
        }),
    });
    return client;
  }

  /** Opens a session like connectNode: the host must exist and present the pinned key, if one is pinned. */
  async open(
    target: { name: string; ip: string; sshHostKey?: string | undefined },
    clock: FaultClock,
  ): Promise<{ session: FakeSession; hostKey: string }> {
    const host = await clock.gate('ssh', `ssh connect ${target.name}`, () => this.hosts.get(target.ip));
    if (!host) throw RemoteError(`cannot connect to ${target.name} (${target.ip || 'no IP'}): connect ECONNREFUSED`);
    if (target.sshHostKey && target.sshHostKey !== host.hostKey)
      throw RemoteError(`the SSH host key of ${target.name} does not match the pinned one`);
    return { session: new FakeSession(host, clock), hostKey: host.hostKey };
  }

  probe(clock: FaultClock) {
    return (url: string) =>
      clock.gate('probe', `probe ${url}`, () => {
        const fqdn = new URL(url).hostname;
        const ip = [...this.records.values()].find((r) => r.name === fqdn)?.content;
        const ok = ip !== undefined && (this.hosts.get(ip)?.serves(fqdn) ?? false);
        return ok ? { ok: true, status: 200, ms: 1 } : { ok: false, ms: 1, error: `${fqdn}: not served` };
      });
  }

  /** Every port a command is given, every call gated by `clock` (DNS and time are not moments: they change nothing). */
  deps(clock: FaultClock): WorkflowDeps {
    return {
      tx: this.tx(clock),
      digitalocean: this.digitalocean(clock),
      cloudflare: this.cloudflare(clock),
      settings: this.settings,
      reporter: this.reporter(clock),
      connect: async (node, onHostKey) => {
        const { session, hostKey } = await this.open(node, clock);
        if (!node.sshHostKey) await onHostKey(hostKey);
        return session;
      },
      probe: this.probe(clock),
      preconnect: () => undefined,
      dns: fakeDns(this.dns, this.time),
      clock: this.time,
      user: () => 'tester',
      uploads: this.uploads,
    };
  }
}

/**
 * Test doubles the workflow tests share: every port of WorkflowDeps (ports.ts) as a fake. Cloud clients whose
 * unscripted calls fail loudly, DNS answered from a map (no UDP), a clock whose sleeps advance virtual time at
 * once, an in-memory state transaction and a scripted node session.
 */
import { waitForPropagation, type DnsQuery } from '../../src/dns/propagation.js';
import { shellQuote, type Argv } from '../../src/remote/quote.js';
import type { ExecOptions, ExecResult } from '../../src/remote/remote.js';
import { RUN_COMPOSE } from '../../src/node/compose-commands.js';
import { MOVE_ALIAS } from '../../src/node/docker-commands.js';
import { RecordingRemote, type ScriptedAnswer } from '../../src/remote/recording.js';
import { emptyState, State } from '../../src/state/schema.js';
import type { StateTx } from '../../src/state/store.js';
import { composeContainerName } from '../../src/node/layout.js';
import { renderManifest } from '../../src/node/manifest.js';
import { upstreamAlias } from '../../src/node/caddy/upstream-alias.js';
import { caddyfileFor } from '../../src/deploy/deploy-shared.js';
import { nodeManifest } from '../../src/deploy/node-sites.js';
import type { Clock } from '../../src/lib/clock.js';
import type { CloudflareApi, DigitalOceanApi, Dns, NodeSession, Settings, UploadRecords, WorkflowDeps } from '../../src/lib/ports.js';
import type { Reporter } from '../../src/lib/steps.js';

/**
 * Virtual time: starts at `epoch` (default 2026-01-01T00:00:00Z); `sleep` moves it on at once (after letting
 * other work run), and each read of the wall clock is 1 ms after the last (no two timestamps are the same).
 */
export class FakeClock implements Clock {
  ms = 0;
  constructor(private readonly epoch = Date.parse('2026-01-01T00:00:00Z')) {}
  /** Every sleep asked for, in order. */
  readonly sleeps: number[] = [];
  now = (): number => this.ms;
  date = (): Date => new Date(this.epoch + this.ms++);
  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.ms += ms;
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
}

/**
 * DNS from a table (name → addresses), as the resolver would say it: a name not in it is NXDOMAIN, a name with
 * no address has no A records. Every resolver gets the same answer; `queries` lists the names asked.
 */
export function fakeDns(records: ReadonlyMap<string, readonly string[]>, clock: Clock): Dns & { queries: string[] } {
  const queries: string[] = [];
  const query: DnsQuery = async (name) => {
    queries.push(name);
    const ips = records.get(name.toLowerCase());
    if (ips === undefined) return { error: 'NXDOMAIN' };
    return ips.length ? { ips: [...ips].sort() } : { error: 'no A records' };
  };
  // Waits through `dns.query`, so a test that replaces it (a resolver that lags) is heard by the wait too.
  const dns: Dns & { queries: string[] } = {
    queries,
    query,
    waitForPropagation: (options) => waitForPropagation(options, (...args) => dns.query(...args), clock),
  };
  return dns;
}

const DIGITALOCEAN_CALLS: ReadonlyArray<keyof DigitalOceanApi> = [
  'listSshKeys',
  'createSshKey',
  'createDroplet',
  'getDroplet',
  'listDroplets',
  'deleteDroplet',
  'listFirewalls',
  'createFirewall',
  'updateFirewall',
  'removeFirewallDroplets',
  'deleteFirewall',
];

const CLOUDFLARE_CALLS: ReadonlyArray<keyof CloudflareApi> = [
  'listDnsRecords',
  'createDnsRecord',
  'updateDnsRecord',
  'deleteDnsRecord',
  'upsertARecord',
  'uploadWorkerModule',
  'getWorkerSettings',
  'getWorkersSubdomain',
  'enableWorkersDev',
  'listWorkerRoutes',
  'createWorkerRoute',
  'listKvNamespaces',
  'createKvNamespace',
  'readKvValue',
  'getWorkerSchedules',
  'putWorkerSchedules',
];

/** The given calls; any other one rejects naming itself, so a test sees a call it did not script. */
function strictApi<T extends object>(service: string, calls: ReadonlyArray<keyof T>, given: Partial<T>): T {
  const api: Record<PropertyKey, unknown> = {};
  for (const call of calls)
    api[call] = given[call] ?? (async () => Promise.reject(new Error(`unexpected ${service} call: ${String(call)}`)));
  return api as T;
}

export const fakeDigitalOcean = (given: Partial<DigitalOceanApi> = {}): DigitalOceanApi =>
  strictApi('DigitalOcean', DIGITALOCEAN_CALLS, given);

export const fakeCloudflare = (given: Partial<CloudflareApi> = {}): CloudflareApi => strictApi('Cloudflare', CLOUDFLARE_CALLS, given);

export const silentReporter = (): Reporter => ({ stepStart() {}, stepDone() {}, stepSkipped() {}, info() {}, warn() {} });

export const TEST_SETTINGS: Settings = {
  domain: 'example.com',
  zoneId: 'z',
  resolvers: [{ host: '10.9.0.1', port: 53 }],
  acme: { ca: 'https://acme.example/dir' },
  sshKeyPath: '/k',
};

/**
 * A full WorkflowDeps from the parts a test gives; the rest: empty state, strict clouds, no DNS records, a fresh
 * fake clock, a silent reporter, user `tester`, and connect/probe that fail (a test that needs them scripts them).
 */
export function fakeDeps(given: Partial<WorkflowDeps> = {}): WorkflowDeps {
  const clock = given.clock ?? new FakeClock();
  return {
    tx: memoryTx(emptyState()),
    digitalocean: fakeDigitalOcean(),
    cloudflare: fakeCloudflare(),
    settings: TEST_SETTINGS,
    reporter: silentReporter(),
    connect: async (node) => Promise.reject(new Error(`unexpected connect to ${node.name}`)),
    probe: async (url) => Promise.reject(new Error(`unexpected probe of ${url}`)),
    preconnect: () => undefined,
    dns: fakeDns(new Map(), clock),
    user: () => 'tester',
    uploads: memoryUploads(),
    ...given,
    clock,
  };
}

/** Upload records in memory, as upload-records.ts keeps them on disk. */
export function memoryUploads(): UploadRecords & { records: Map<string, string> } {
  const records = new Map<string, string>();
  return {
    records,
    read: async (node, project) => records.get(`${node}/${project}`) ?? null,
    write: async (node, project, text) => {
      records.set(`${node}/${project}`, text);
    },
  };
}

/** Commits are validated like the real store's, but kept in memory. */
export function memoryTx(start: State): StateTx {
  let current = start;
  return {
    get state() {
      return current;
    },
    async commit(mutator) {
      const draft = structuredClone(current);
      current = State.parse(mutator(draft) ?? draft);
      return current;
    },
  };
}

/** The drain-then-stop command (see drain-commands.ts): its script is the one that opens and shuts the door. */
export const isDrain = (argv: Argv): boolean => argv[0] === 'sh' && (argv[2] ?? '').includes('dynia-door:');

/** A drain command shown short: `[alias <alias> then ]drain <new container>:<port> <old container>:<port> then retire <project>`. */
export const shownDrain = (argv: Argv): string => {
  const alias = drainAlias(argv);
  return `${alias ? `alias ${alias} then ` : ''}drain ${argv[6]}:${argv[7]} ${argv[8]}:${argv[9]} then retire ${argv[14]}`;
};

/** The alias the drain command moves to its new container first, if any (from the Engine API body of the connect). */
export const drainAlias = (argv: Argv): string | undefined =>
  argv[13] ? (JSON.parse(argv[13]) as { EndpointConfig: { Aliases: string[] } }).EndpointConfig.Aliases[0] : undefined;

/** A retire (retire-commands.ts's retireProject), alone or chained: its script sets the restart policy `no`. */
export const isRetire = (argv: Argv): boolean => argv.some((a) => a.includes(`'{"RestartPolicy":{"Name":"no"}}'`));

/** An alias move on its own (docker-commands.ts's moveAliasCommand): the container and the alias it takes. */
export function movedAlias(argv: Argv): { container: string; alias: string } | undefined {
  if (argv[0] !== 'sh' || !(argv[2] ?? '').endsWith(`\n${MOVE_ALIAS('$1', '$2')}`)) return undefined;
  const body = JSON.parse(argv[5]!) as { Container: string; EndpointConfig: { Aliases: string[] } };
  return { container: body.Container, alias: body.EndpointConfig.Aliases[0]! };
}

/** The in-network health wait (health-commands.ts): the probe loop run in the Caddy container's namespaces. */
export const isHealthWait = (argv: Argv): boolean =>
  argv[0] === 'sh' && (argv[2] ?? '').includes('exec nsenter') && argv[4] === 'dynia-caddy' && argv[5] === 'sh';

/** A command run at lower CPU priority (niced.ts): the wrapped argv starts at index 4. */
export const isNiced = (argv: Argv): boolean => argv[0] === 'sh' && /^renice .*exec "\$@"$/.test(argv[2] ?? '');

const COMPOSE_WRAPPER = ['sh', '-c', RUN_COMPOSE, 'docker compose'];
const QUOTED_WRAPPER = shellQuote(COMPOSE_WRAPPER);

/**
 * A command with compose's wrapper (compose-commands.ts, tested there) read as the `docker compose` it runs, as an
 * argv and as quoted text inside one: the fakes and the tests' expectations speak of compose commands that way.
 */
export function plainCompose(argv: Argv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (COMPOSE_WRAPPER.every((word, k) => argv[i + k] === word)) {
      out.push('docker', 'compose');
      i += COMPOSE_WRAPPER.length - 1;
    } else out.push(argv[i]!.split(QUOTED_WRAPPER).join('docker compose'));
  }
  return out;
}

/**
 * A node session whose Caddy drains at once unless a test sets `drainAnswer` (or the subclass answers drains
 * itself); it records and answers compose commands as plain `docker compose` (plainCompose).
 */
export class FakeNode extends RecordingRemote implements NodeSession {
  readonly stats = { connections: 1, commands: 0 };
  closed = false;
  drainAnswer: ScriptedAnswer = { stdout: 'drained new 2\nold idle 1\n' };
  constructor(host?: string, scriptedDrain = true) {
    super(host);
    if (scriptedDrain) this.on(isDrain, () => this.drainAnswer);
  }
  override exec(argv: Argv, options?: ExecOptions): Promise<ExecResult> {
    return super.exec(plainCompose(argv), options);
  }
  async close() {
    this.closed = true;
  }
}

/** One container as the reconcile read prints it: `container ` and the Engine API's inspect (the fields it reads). */
export const inspectLine = (c: { name: string; project: string; service: string; running: boolean; edge?: string[] }): string =>
  `container ${JSON.stringify({
    Name: `/${c.name}`,
    Config: { Labels: { 'com.docker.compose.project': c.project, 'com.docker.compose.service': c.service } },
    State: { Running: c.running },
    NetworkSettings: { Networks: c.edge ? { edge: { Aliases: c.edge } } : {} },
  })}\n`;

/** Whether a command is the reconcile step's one read of the node (observe-app.ts). */
export const isObserve = (argv: readonly string[]): boolean => argv[0] === 'sh' && argv[2]?.includes('--- caddyfile') === true;

/**
 * Answers the reconcile read as a node that matches state would: the active entry of each app running and
 * holding its alias, the Caddyfile and manifest state implies, the asked file from what was uploaded.
 */
export function matchesState(remote: FakeNode, tx: StateTx, settings: Settings, nodeName: string): FakeNode {
  return remote.on(isObserve, (argv) => {
    const state = tx.state;
    const app = argv[4]!;
    const containers = state.deployments
      .filter((d) => d.node === nodeName && d.app === app && d.status === 'active')
      .map((d) =>
        inspectLine({
          name: composeContainerName(d.project, d.entryService),
          project: d.project,
          service: d.entryService,
          running: true,
          edge: [upstreamAlias(d.domain)],
        }),
      );
    const manifest = renderManifest(nodeManifest(state.nodes.find((n) => n.name === nodeName)!, state.deployments, 'then'));
    const file = remote.files.get(argv[7] ?? '') ?? '(none)\n';
    return {
      stdout: `${containers.join('')}--- caddyfile\n${caddyfileFor(settings, state, nodeName)}--- manifest\n${manifest}--- file\n${argv[7] ? file : ''}`,
    };
  });
}

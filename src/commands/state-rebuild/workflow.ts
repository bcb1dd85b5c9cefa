/**
 * `dynia state:rebuild`, the part that asks: droplets tagged `dynia`, the zone's A records, each node's
 * manifest over SSH (host key pinned on first contact, or verified against the current state's pin), and
 * each node's health now. What to make of the answers is decided in match.ts and assemble.ts.
 */
import { readFile } from 'node:fs/promises';
import type { Firewall } from '../../cloud/digitalocean.js';
import { DyniaError, reasonOf } from '../../errors.js';
import type { ProbeResult } from '../../health/probe.js';
import { LAYOUT } from '../../node/layout.js';
import { hostKeyFingerprint } from '../../remote/host-key.js';
import { emptyState, STATE_VERSION, type State } from '../../state/schema.js';
import type { StateStore } from '../../state/store.js';
import { attachFirewalls } from '../../firewall/plan.js';
import { DROPLET_TAG } from '../../cloud/droplet-tag.js';
import type { NodeAddress, NodeSession, Settings, WorkflowDeps } from '../../lib/ports.js';
import { assembleState, healthFindings, type Observation, type TrustedKey } from './assemble.js';
import { matchDroplets, type Finding, type MatchResult } from './match.js';
import { mapLimit } from '../../slb/health.js';
import { runSteps, type Reporter, type Step } from '../../lib/steps.js';

/** No state transaction: the command holds the lock itself, and the state file may be unreadable. */
export type RebuildDeps = Pick<WorkflowDeps, 'reporter' | 'connect' | 'probe' | 'clock'> & {
  digitalocean: Pick<WorkflowDeps['digitalocean'], 'listDroplets'> & Partial<Pick<WorkflowDeps['digitalocean'], 'listFirewalls'>>;
  cloudflare: Pick<WorkflowDeps['cloudflare'], 'listDnsRecords'>;
  settings: Pick<Settings, 'domain' | 'zoneId'>;
};

export interface NodeHealth {
  node: string;
  url: string;
  ok: boolean;
  status?: number;
  error?: string;
}

export interface RebuildResult {
  state: State;
  findings: Finding[];
  trusted: TrustedKey[];
  health: NodeHealth[];
}

interface Ctx {
  current: State;
  deps: RebuildDeps;
  match?: MatchResult;
  observations: Map<number, Observation>;
  firewalls?: Firewall[];
  result?: RebuildResult;
}

/** Sessions (and probes) at once: each is one TCP connection. */
const CONCURRENCY = 8;

/** Verifies `sshHostKey` when given, else accepts the offered key; returns the session and the key. */
async function open(deps: RebuildDeps, target: NodeAddress): Promise<{ session: NodeSession; hostKey: string }> {
  let hostKey = target.sshHostKey ?? '';
  const session = await deps.connect(target, async (key) => void (hostKey = key), { timeoutMs: 10_000 });
  return { session, hostKey };
}

async function observe(deps: RebuildDeps, target: NodeAddress): Promise<Observation> {
  let opened: { session: NodeSession; hostKey: string };
  try {
    opened = await open(deps, target);
  } catch (error) {
    return { reached: false, error: `cannot connect over SSH (${reasonOf(error)})` };
  }
  try {
    const manifestText = await opened.session.readFile(LAYOUT.manifest);
    return { reached: true, hostKey: opened.hostKey, trust: target.sshHostKey ? 'pinned' : 'first-use', manifestText };
  } catch (error) {
    return { reached: false, error: `cannot read ${LAYOUT.manifest} (${reasonOf(error)})` };
  } finally {
    await opened.session.close();
  }
}

async function probeTwice(deps: RebuildDeps, url: string): Promise<ProbeResult> {
  const first = await deps.probe(url);
  if (first.ok) return first;
  await deps.clock.sleep(500);
  return deps.probe(url);
}

const steps: Step<Ctx>[] = [
  {
    name: 'cloud',
    title: (ctx) => `List droplets tagged ${DROPLET_TAG} and the A records of ${ctx.deps.settings.domain}`,
    async run(ctx) {
      const { digitalocean, cloudflare, settings } = ctx.deps;
      const [droplets, records, firewalls] = await Promise.all([
        digitalocean.listDroplets({ tagName: DROPLET_TAG }),
        cloudflare.listDnsRecords(settings.zoneId, { type: 'A' }),
        digitalocean.listFirewalls?.(),
      ]);
      if (firewalls) ctx.firewalls = firewalls;
      ctx.match = matchDroplets({ domain: settings.domain, droplets, records, current: ctx.current });
      return `${droplets.length} droplet(s), ${records.length} A record(s)`;
    },
  },
  {
    name: 'manifests',
    title: (ctx) => `Read /opt/dynia/node.json on ${ctx.match!.candidates.length} node(s) over SSH`,
    skip: (ctx) => (ctx.match!.candidates.length === 0 ? 'no droplet to read' : undefined),
    async run(ctx) {
      const { candidates } = ctx.match!;
      const observations = await mapLimit(candidates, CONCURRENCY, (c) =>
        observe(ctx.deps, { name: c.name, ip: c.ip, ...(c.knownHostKey ? { sshHostKey: c.knownHostKey } : {}) }),
      );
      candidates.forEach((c, i) => ctx.observations.set(c.droplet.id, observations[i]!));
      return `${observations.filter((o) => o.reached).length} reached`;
    },
  },
  {
    name: 'health',
    title: 'Probe https://<fqdn><health path> of every active node',
    async run(ctx) {
      const assembled = assembleState({ candidates: ctx.match!.candidates, observations: ctx.observations, current: ctx.current });
      if (ctx.firewalls) attachFirewalls(assembled.state.nodes, ctx.firewalls);
      const active = assembled.state.nodes.filter((n) => n.status === 'active');
      const results = await mapLimit(active, CONCURRENCY, async (node) => ({
        node: node.name,
        url: `https://${node.fqdn}${node.healthPath}`,
        ...(await probeTwice(ctx.deps, `https://${node.fqdn}${node.healthPath}`)),
      }));
      const health = results.map(({ node, url, ok, status, error }) => ({
        node,
        url,
        ok,
        ...(status === undefined ? {} : { status }),
        ...(error === undefined ? {} : { error }),
      }));
      ctx.result = {
        state: assembled.state,
        findings: [
          ...ctx.match!.findings,
          ...assembled.findings,
          ...healthFindings(assembled.state, new Map(health.map((h) => [h.node, h]))),
        ],
        trusted: assembled.trusted,
        health,
      };
      return `${health.filter((h) => h.ok).length} of ${health.length} healthy`;
    },
  },
];

/** Asks the cloud and the nodes; changes nothing anywhere. */
export async function rebuildState(current: State, deps: RebuildDeps): Promise<RebuildResult> {
  const ctx: Ctx = { current, deps, observations: new Map() };
  await runSteps(steps, ctx, deps.reporter);
  return ctx.result!;
}

/**
 * The current state to compare with. A file this Dynia cannot read (broken JSON, wrong shape) is what a
 * rebuild is for: it is compared as empty and backed up before it is replaced. A newer Dynia's file is not.
 */
export async function loadForRebuild(store: StateStore, reporter: Reporter): Promise<{ state: State; unreadable?: string }> {
  try {
    return { state: await store.load() };
  } catch (error) {
    if (!(error instanceof DyniaError) || error.kind !== 'state' || (await isNewerStateFile(store.path))) throw error;
    reporter.warn(`${reasonOf(error)} Comparing with an empty state; the file is backed up before it is replaced.`);
    return { state: emptyState(), unreadable: error.message };
  }
}

async function isNewerStateFile(path: string): Promise<boolean> {
  try {
    const version = (JSON.parse(await readFile(path, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'number' && version > STATE_VERSION;
  } catch {
    return false;
  }
}

/** Host keys (trust on first use is said out loud) and every finding, on stderr. */
export function reportRebuild(result: RebuildResult, reporter: Reporter): void {
  for (const { node, hostKey, trust } of result.trusted) {
    reporter.info(
      trust === 'first-use'
        ? `${node}: SSH host key ${hostKeyFingerprint(hostKey)} pinned on first contact (trust on first use; compare it with the droplet's console if in doubt)`
        : `${node}: SSH host key ${hostKeyFingerprint(hostKey)} matches the one pinned in the current state`,
    );
  }
  for (const finding of result.findings) reporter.warn(finding.message);
}

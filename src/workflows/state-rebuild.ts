/**
 * `dynia state:rebuild`, the part that asks: droplets tagged `dynia`, the zone's A records, each node's
 * manifest over SSH (host key pinned on first contact, or verified against the current state's pin), and
 * each node's health now. What to make of the answers is decided in rebuild-match.ts.
 */
import type { CloudflareClient } from '../cloud/cloudflare.js';
import type { DigitalOceanClient, Firewall } from '../cloud/digitalocean.js';
import { reasonOf } from '../errors.js';
import type { ProbeResult } from '../health/probe.js';
import { LAYOUT } from '../node/layout.js';
import type { State } from '../state/schema.js';
import { attachFirewalls } from './firewall-plan.js';
import { DROPLET_TAG } from './node-create.js';
import type { NodeSession, Settings } from './ports.js';
import {
  assembleState,
  healthFindings,
  matchDroplets,
  type Finding,
  type MatchResult,
  type Observation,
  type TrustedKey,
} from './rebuild-match.js';
import { mapLimit } from './slb-health.js';
import { runSteps, type Reporter, type Step } from './steps.js';

export interface RebuildDeps {
  digitalocean: Pick<DigitalOceanClient, 'listDroplets'> & Partial<Pick<DigitalOceanClient, 'listFirewalls'>>;
  cloudflare: Pick<CloudflareClient, 'listDnsRecords'>;
  settings: Pick<Settings, 'domain' | 'zoneId'>;
  reporter: Reporter;
  /** Verifies `sshHostKey` when given, else accepts the offered key; returns the session and the key. */
  connect(target: { name: string; ip: string; sshHostKey?: string }): Promise<{ session: NodeSession; hostKey: string }>;
  probe(url: string): Promise<ProbeResult>;
}

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

async function observe(deps: RebuildDeps, target: { name: string; ip: string; sshHostKey?: string }): Promise<Observation> {
  let opened: { session: NodeSession; hostKey: string };
  try {
    opened = await deps.connect(target);
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
  await new Promise((resolve) => setTimeout(resolve, 500));
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

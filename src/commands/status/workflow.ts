/**
 * `dynia status`: each node as it is now. Per node, in parallel: its droplet (one DigitalOcean list call for
 * all), its name at every resolver, its Caddy (one SSH connection, host key as pinned; never trusted on
 * first use here), its health over HTTPS; plus what state says it serves and its last deployment.
 */
import type { Droplet, Firewall } from '../../cloud/digitalocean.js';
import { reasonOf } from '../../errors.js';
import { describeAnswer, describeResolver, type DnsAnswer } from '../../dns/verdict.js';
import { CADDY_CONTAINER } from '../../node/layout.js';
import { containerRunning, publishedPorts } from '../../node/status-commands.js';
import { firewallCell, firewallProblems, firewallStatus, parsePublishedPorts, type FirewallStatus } from '../../firewall/status.js';
import type { Deployment, NodeRecord, State } from '../../state/schema.js';
import { nodeBindings } from '../../deploy/node-sites.js';
import { DROPLET_TAG } from '../../cloud/droplet-tag.js';
import type { NodeSession, Settings, WorkflowDeps } from '../../lib/ports.js';

export interface NodeStatus {
  name: string;
  fqdn: string;
  ip: string;
  /** The node's status in state (creating, active, failed). */
  state: NodeRecord['status'];
  /** DigitalOcean's status of the droplet, `missing` when it does not exist, `unknown` when the API failed. */
  droplet: { id?: number; status: string; error?: string };
  /** The node's Cloud Firewall and drift (absent when not checked). */
  firewall?: FirewallStatus;
  dns: Array<{ resolver: string; answer: string; ok: boolean }>;
  caddy: { running: boolean | null; detail: string };
  bindings: Array<{ domain: string; app?: string; project?: string }>;
  health: { url: string; ok: boolean; status?: number; error?: string; ms: number };
  lastDeployment?: Pick<Deployment, 'app' | 'project' | 'domain' | 'status' | 'createdAt' | 'updatedAt' | 'reason'>;
  /** Droplet active, every resolver right, Caddy running and healthy. */
  ok: boolean;
}

/** Read-only: no state transaction, no cloud writes; a host key is never trusted on first use here. */
export type StatusDeps = Pick<WorkflowDeps, 'connect' | 'probe'> & {
  dns: Pick<WorkflowDeps['dns'], 'query'>;
  /** With `listFirewalls`, each node's firewall is shown and checked for drift (one extra command per node). */
  digitalocean: Pick<WorkflowDeps['digitalocean'], 'listDroplets'> & Partial<Pick<WorkflowDeps['digitalocean'], 'listFirewalls'>>;
  settings: Pick<Settings, 'resolvers'>;
};

export const dnsOk = (answer: DnsAnswer, ip: string): boolean => !('error' in answer) && answer.ips.length === 1 && answer.ips[0] === ip;

/** The most recently created deployment of the node, whatever its status. */
export function lastDeployment(state: State, node: string): NodeStatus['lastDeployment'] {
  const mine = state.deployments.filter((d) => d.node === node);
  const last = mine.reduce<Deployment | undefined>((latest, d) => (!latest || d.createdAt >= latest.createdAt ? d : latest), undefined);
  if (!last) return undefined;
  const { app, project, domain, status, createdAt, updatedAt, reason } = last;
  return { app, project, domain, status, createdAt, updatedAt, ...(reason ? { reason } : {}) };
}

export function bindingsOf(state: State, node: NodeRecord): NodeStatus['bindings'] {
  return nodeBindings(node, state.deployments).map(({ domain, project }) => {
    const app = project
      ? state.deployments.find((d) => d.node === node.name && d.project === project && d.status === 'active')?.app
      : undefined;
    return { domain, ...(app ? { app } : {}), ...(project ? { project } : {}) };
  });
}

type CaddyAndPorts = NodeStatus['caddy'] & { published?: Array<{ container: string; port: number }> };

async function caddyOf(node: NodeRecord, deps: StatusDeps): Promise<CaddyAndPorts> {
  if (!node.ip || !node.sshHostKey) return { running: null, detail: 'unknown (no pinned SSH host key)' };
  let session: NodeSession;
  try {
    session = await deps.connect(node, async () => undefined, { timeoutMs: 8000 });
  } catch (error) {
    return { running: null, detail: `unknown (SSH: ${reasonOf(error)})` };
  }
  try {
    const [result, ports] = await Promise.all([
      session.exec(containerRunning(), { allowFailure: true, timeoutMs: 15_000 }),
      deps.digitalocean.listFirewalls ? session.exec(publishedPorts(), { allowFailure: true, timeoutMs: 15_000 }) : undefined,
    ]);
    const published = ports?.code === 0 ? { published: parsePublishedPorts(ports.stdout) } : {};
    if (result.code !== 0) return { running: false, detail: `no ${CADDY_CONTAINER} container`, ...published };
    const running = result.stdout.trim() === 'true';
    return { running, detail: running ? 'running' : 'stopped', ...published };
  } catch (error) {
    return { running: null, detail: `unknown (${reasonOf(error)})` };
  } finally {
    await session.close();
  }
}

async function statusOf(
  state: State,
  node: NodeRecord,
  droplets: Promise<Map<number, Droplet>>,
  firewalls: Promise<Firewall[] | Error> | undefined,
  deps: StatusDeps,
): Promise<NodeStatus> {
  const url = `https://${node.fqdn}${node.healthPath}`;
  const [droplet, dns, { published, ...caddy }, health, fws] = await Promise.all([
    droplets.then(
      (byId): NodeStatus['droplet'] => {
        if (node.dropletId === undefined) return { status: 'missing' };
        return { id: node.dropletId, status: byId.get(node.dropletId)?.status ?? 'missing' };
      },
      (error): NodeStatus['droplet'] => ({
        ...(node.dropletId === undefined ? {} : { id: node.dropletId }),
        status: 'unknown',
        error: reasonOf(error),
      }),
    ),
    Promise.all(
      deps.settings.resolvers.map(async (resolver) => {
        const answer = await deps.dns.query(node.fqdn, resolver, 3000);
        return { resolver: describeResolver(resolver), answer: describeAnswer(answer), ok: dnsOk(answer, node.ip) };
      }),
    ),
    caddyOf(node, deps),
    deps.probe(url),
    firewalls,
  ]);
  const last = lastDeployment(state, node.name);
  return {
    name: node.name,
    fqdn: node.fqdn,
    ip: node.ip,
    state: node.status,
    droplet,
    ...(fws ? { firewall: firewallStatus(node, fws, published ?? []) } : {}),
    dns,
    caddy,
    bindings: bindingsOf(state, node),
    health: {
      url,
      ok: health.ok,
      ...(health.status === undefined ? {} : { status: health.status }),
      ...(health.error === undefined ? {} : { error: health.error }),
      ms: health.ms,
    },
    ...(last ? { lastDeployment: last } : {}),
    ok: droplet.status === 'active' && dns.every((d) => d.ok) && caddy.running === true && health.ok,
  };
}

export async function nodeStatuses(state: State, deps: StatusDeps): Promise<NodeStatus[]> {
  const droplets = deps.digitalocean.listDroplets({ tagName: DROPLET_TAG }).then((list) => new Map(list.map((d) => [d.id, d])));
  droplets.catch(() => undefined); // handled per node
  const firewalls = deps.digitalocean
    .listFirewalls?.()
    .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  return Promise.all(state.nodes.map((node) => statusOf(state, node, droplets, firewalls, deps)));
}

const short = (iso: string) => iso.slice(0, 19).replace('T', ' ');

/** The table row of a node: every cell short; the details are in --json and in the notes below the table. */
export function statusRow(s: NodeStatus): string[] {
  const dnsGood = s.dns.filter((d) => d.ok).length;
  return [
    s.name,
    s.state,
    s.droplet.status,
    firewallCell(s.firewall),
    dnsGood === s.dns.length ? `ok (${dnsGood}/${s.dns.length})` : `${dnsGood}/${s.dns.length} ok`,
    s.caddy.running === true ? 'up' : s.caddy.running === false ? 'down' : 'unknown',
    s.health.ok ? `HTTP ${s.health.status} (${s.health.ms} ms)` : s.health.status === undefined ? 'no answer' : `HTTP ${s.health.status}`,
    s.bindings.map((b) => `${b.domain}→${b.app ?? 'placeholder'}`).join(', '),
    s.lastDeployment
      ? `${s.lastDeployment.app} ${s.lastDeployment.project} ${s.lastDeployment.status} ${short(s.lastDeployment.updatedAt)}`
      : '-',
  ];
}

export const STATUS_HEADERS = ['NODE', 'STATE', 'DROPLET', 'FIREWALL', 'DNS', 'CADDY', 'HEALTH', 'SERVES', 'LAST DEPLOYMENT'];

/** One line per problem, for under the table. */
export function statusProblems(s: NodeStatus): string[] {
  return [
    ...(s.droplet.status !== 'active'
      ? [`${s.name}: droplet ${s.droplet.id ?? '(none in state)'} is ${s.droplet.status}${s.droplet.error ? ` (${s.droplet.error})` : ''}`]
      : []),
    ...firewallProblems(s.name, s.firewall),
    ...s.dns.filter((d) => !d.ok).map((d) => `${s.name}: ${d.resolver} answers ${d.answer} for ${s.fqdn} (expected ${s.ip || 'an IP'})`),
    ...(s.caddy.running !== true ? [`${s.name}: Caddy ${s.caddy.detail}`] : []),
    ...(!s.health.ok ? [`${s.name}: ${s.health.url}: ${s.health.error ?? `HTTP ${s.health.status}`}`] : []),
    ...(s.lastDeployment?.status === 'failed'
      ? [`${s.name}: last deployment ${s.lastDeployment.project} failed: ${s.lastDeployment.reason ?? 'no reason recorded'}`]
      : []),
  ];
}

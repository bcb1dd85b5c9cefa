/**
 * `dynia node:create`: a droplet, its DNS name, and Caddy with a placeholder site over HTTPS. Every step is
 * idempotent and recorded in state as it finishes, so a re-run after any failure repeats them all and finishes the
 * node (a done step finds its work in place).
 */
import { publicIpv4 } from '../../cloud/digitalocean.js';
import { DROPLET_TAG } from '../../cloud/droplet-tag.js';
import { InputError } from '../../errors.js';
import { renderCaddyfile } from '../../node/caddy/caddyfile.js';
import { dockerReady } from '../../node/docker-commands.js';
import { LAYOUT } from '../../node/layout.js';
import { renderManifest } from '../../node/manifest.js';
import type { NodeRecord } from '../../state/schema.js';
import { appendAudit, auditOutcome } from '../../lib/audit.js';
import { caddyAcme } from '../../deploy/caddy-config.js';
import { ensureCaddyRuns } from '../../deploy/caddy-converge.js';
import { ensureNodeFirewall } from '../../firewall/firewall.js';
import { pollHttps } from '../../deploy/https-check.js';
import { reconcileNodeCreate } from './reconcile.js';
import { pullNodeImages, startNodeProjects, uploadNodeFiles } from './proxy-setup.js';
import { nodeManifest, nodeSites, placeholderTarget } from '../../deploy/node-sites.js';
import type { NodeSession, WorkflowDeps } from '../../lib/ports.js';
import { poll } from '../../lib/poll.js';
import { ensureAccountKey } from './ssh-key.js';
import { runSteps, type Step, type StepTiming } from '../../lib/steps.js';
import { NODE_USER_DATA } from './user-data.js';

export interface NodeCreateInput {
  name: string;
  healthPath: string;
  region: string;
  size: string;
  image: string;
  /** DigitalOcean key id or fingerprint; default: the account key matching the local SSH key. */
  sshKey?: string;
  sshFrom?: string[]; // who may reach port 22 (addresses/CIDRs); default anywhere
  dnsTimeoutMs: number;
  httpsTimeoutMs?: number;
  dropletTimeoutMs?: number;
}

export interface NodeCreateResult {
  node: NodeRecord;
  timings: StepTiming[];
  remote: { connections: number; commands: number };
}

interface Ctx {
  input: NodeCreateInput;
  deps: WorkflowDeps;
  fqdn: string;
  sshKey?: number | string;
  session?: NodeSession;
}

/** The node as state has it now (every step re-reads it: earlier steps commit). */
function current(ctx: Ctx): NodeRecord {
  const node = ctx.deps.tx.state.nodes.find((n) => n.name === ctx.input.name);
  if (!node) throw new Error(`node ${ctx.input.name} vanished from state during node:create`);
  return node;
}

async function update(ctx: Ctx, change: (node: NodeRecord) => void): Promise<void> {
  await ctx.deps.tx.commit((state) => {
    const node = state.nodes.find((n) => n.name === ctx.input.name);
    if (node) change(node);
  });
}

const steps: Step<Ctx>[] = [
  {
    name: 'ssh-key',
    title: 'Find the SSH key in the DigitalOcean account (import DYNIA_SSH_KEY when it is missing)',
    async run(ctx) {
      if (ctx.input.sshKey) return `key ${(ctx.sshKey = ctx.input.sshKey)}`;
      const { key, imported } = await ensureAccountKey(ctx.deps.digitalocean, ctx.deps.settings.sshKeyPath);
      ctx.sshKey = key.id;
      return imported ? `imported the public half of ${ctx.deps.settings.sshKeyPath} as "${key.name}" (key ${key.id})` : `key ${key.id}`;
    },
  },
  {
    name: 'droplet',
    title: (ctx) => `Create droplet ${ctx.input.name}`,
    async run(ctx) {
      const { input, deps } = ctx;
      // A crash between the API call and the state write must not make a second droplet: look it up first.
      const known = current(ctx).dropletId;
      const existing = (await deps.digitalocean.listDroplets({ tagName: DROPLET_TAG })).find(
        (d) => d.id === known || (d.name === input.name && d.tags.includes(input.name)),
      );
      const droplet =
        existing ??
        (await deps.digitalocean.createDroplet({
          name: input.name,
          region: input.region,
          size: input.size,
          image: input.image,
          sshKeys: [ctx.sshKey!],
          tags: [DROPLET_TAG, input.name],
          userData: NODE_USER_DATA,
        }));
      await update(ctx, (node) => (node.dropletId = droplet.id));
      return existing ? `found existing droplet ${droplet.id}` : `droplet ${droplet.id}`;
    },
  },
  {
    // Right after the create call, before the droplet has booted: it is never reachable on other ports.
    name: 'firewall',
    title: 'Put the droplet behind its Cloud Firewall (in: TCP 22, 80, 443 and ICMP)',
    run: (ctx) => ensureNodeFirewall(ctx.deps, ctx.input.name, ctx.input.sshFrom),
  },
  {
    name: 'droplet-active',
    title: 'Wait for the droplet to boot',
    async run(ctx) {
      const id = current(ctx).dropletId!;
      const ip = await poll({
        what: `droplet ${id} to become active with a public IPv4`,
        timeoutMs: ctx.input.dropletTimeoutMs ?? 300_000,
        intervalMs: 1000,
        clock: ctx.deps.clock,
        attempt: async () => {
          const droplet = await ctx.deps.digitalocean.getDroplet(id);
          if (!droplet)
            throw InputError(
              `droplet ${id} no longer exists.`,
              `Run dynia node:destroy --name ${ctx.input.name}, then create the node again.`,
            );
          return droplet.status === 'active' ? publicIpv4(droplet) : undefined;
        },
      });
      await update(ctx, (node) => (node.ip = ip));
      return ip;
    },
  },
  {
    name: 'dns-record',
    title: (ctx) => `Point ${ctx.fqdn} at the droplet (Cloudflare, DNS only)`,
    async run(ctx) {
      const { record, changed } = await ctx.deps.cloudflare.upsertARecord(ctx.deps.settings.zoneId, {
        name: ctx.fqdn,
        ip: current(ctx).ip,
        ttl: 60,
        proxied: false,
      });
      await update(ctx, (node) => (node.dnsRecordId = record.id));
      return changed ? `A ${record.content}` : 'already set';
    },
  },
  {
    name: 'dns-propagation',
    title: 'Wait until the resolvers answer with the node IP',
    async run(ctx) {
      const { resolvers } = ctx.deps.settings;
      const { ms, polls } = await ctx.deps.dns.waitForPropagation({
        name: ctx.fqdn,
        expectedIp: current(ctx).ip,
        resolvers,
        timeoutMs: ctx.input.dnsTimeoutMs,
      });
      return `${resolvers.length} resolver(s) agree after ${polls} poll(s), ${Math.round(ms)} ms`;
    },
  },
  {
    name: 'ssh',
    title: 'Connect over SSH and wait for Docker',
    async run(ctx) {
      ctx.session = await ctx.deps.connect(current(ctx), (key) => update(ctx, (node) => (node.sshHostKey = key)));
      const session = ctx.session;
      const version = await poll({
        what: `Docker on ${session.host} (cloud-init may still be installing it)`,
        timeoutMs: 300_000,
        intervalMs: 1000,
        clock: ctx.deps.clock,
        attempt: async () => {
          const result = await session.exec(dockerReady(), { allowFailure: true });
          return result.code === 0 ? result.stdout.trim() : undefined;
        },
      });
      return `Docker ${version}`;
    },
  },
  {
    name: 'node-files',
    title: 'Create network edge and upload the proxy and placeholder',
    run: (ctx) => uploadNodeFiles(ctx.session!, ctx.input.name, ctx.deps.settings.acme),
  },
  {
    name: 'pull',
    title: 'Pull the Caddy image',
    run: (ctx) => pullNodeImages(ctx.session!),
  },
  {
    name: 'proxy',
    title: 'Start Caddy and the placeholder',
    run: (ctx) => startNodeProjects(ctx.session!),
  },
  {
    name: 'caddy-config',
    title: (ctx) => `Route ${ctx.fqdn} to the placeholder (validate, reload Caddy)`,
    async run(ctx) {
      const text = renderCaddyfile({
        acme: caddyAcme(ctx.deps.settings.acme),
        sites: nodeSites(current(ctx), ctx.deps.tx.state.deployments),
      });
      return ensureCaddyRuns(ctx.session!, text);
    },
  },
  {
    name: 'https',
    title: (ctx) => `Check https://${ctx.fqdn}${ctx.input.healthPath} (certificate via ACME HTTP-01)`,
    async run(ctx) {
      const url = `https://${ctx.fqdn}${current(ctx).healthPath}`;
      const result = await pollHttps(url, ctx.deps, ctx.input.httpsTimeoutMs ?? 120_000);
      return `HTTP ${result.status}`;
    },
  },
  {
    name: 'manifest',
    title: 'Record the node (state and /opt/dynia/node.json)',
    async run(ctx) {
      const manifest = nodeManifest(current(ctx), ctx.deps.tx.state.deployments, ctx.deps.clock.date().toISOString());
      await ctx.session!.upload(LAYOUT.manifest, renderManifest(manifest));
      await update(ctx, (node) => (node.status = 'active'));
    },
  },
];

/** Every step's name, in order: what `stepsDone` of a finished node holds. */
export const NODE_CREATE_STEPS: readonly string[] = steps.map((step) => step.name);

export async function nodeCreate(input: NodeCreateInput, deps: WorkflowDeps): Promise<NodeCreateResult> {
  const fqdn = `${input.name}.${deps.settings.domain}`;
  const existing = deps.tx.state.nodes.find((n) => n.name === input.name);
  if (existing?.status === 'active') {
    throw InputError(
      `node ${input.name} already exists (${existing.fqdn}, ${existing.ip}).`,
      `Pick another --name, or remove it first: dynia node:destroy --name ${input.name}`,
    );
  }
  if (existing && existing.healthPath !== input.healthPath) {
    deps.reporter.warn(`resuming node ${input.name}; its health path changes from ${existing.healthPath} to ${input.healthPath}`);
  }
  if (existing) deps.reporter.info(`resuming the unfinished create of ${input.name} (done: ${existing.stepsDone.join(', ') || 'nothing'})`);
  if (existing) await reconcileNodeCreate(input.name, deps);
  await deps.tx.commit((state) => {
    const node = state.nodes.find((n) => n.name === input.name);
    if (node) node.healthPath = input.healthPath;
    else state.nodes.push(newNodeRecord(input, fqdn, deps.clock.date()));
  });
  const ctx: Ctx = { input, deps, fqdn };
  const tracked = steps.map((step) => ({
    ...step,
    run: async (c: Ctx) => {
      const detail = await step.run(c);
      await update(c, (node) => (node.stepsDone = [...new Set([...node.stepsDone, step.name])]));
      return detail;
    },
  }));
  let failure: unknown;
  try {
    const timings = await runSteps(tracked, ctx, deps.reporter);
    const remote = ctx.session ? { ...ctx.session.stats } : { connections: 0, commands: 0 };
    return { node: current(ctx), timings, remote };
  } catch (error) {
    failure = error;
    await update(ctx, (node) => (node.status = 'failed'));
    throw error;
  } finally {
    const args = { name: input.name, healthPath: input.healthPath, region: input.region, size: input.size, image: input.image };
    await appendAudit(ctx.session, deps, { command: 'node:create', args, ...auditOutcome(failure) });
    await ctx.session?.close();
  }
}

function newNodeRecord(input: NodeCreateInput, fqdn: string, now: Date): NodeRecord {
  return {
    name: input.name,
    ip: '',
    fqdn,
    createdAt: now.toISOString(),
    status: 'creating',
    healthPath: input.healthPath,
    caddy: { domain: fqdn, target: placeholderTarget() },
    stepsDone: [],
  };
}

/**
 * `dynia node:harden`: puts an existing node behind its Cloud Firewall (what node:create does for new nodes)
 * and optionally narrows port 22 to `--ssh-from`. Narrowing so that this machine's own address (as the node
 * sees it over SSH) is left out would lock Dynia out of the node: refused unless confirmed (`--yes`).
 * Order: firewall with today's SSH sources, then the manifest, then the narrowing, so that the node's own
 * record is written while SSH still works.
 */
import { InputError } from '../../errors.js';
import { LAYOUT } from '../../node/layout.js';
import { renderManifest } from '../../node/manifest.js';
import { sshConnection } from '../../node/status-commands.js';
import { cidrsContain } from '../../validate/cidr.js';
import { appendAudit, auditOutcome } from '../../lib/audit.js';
import { ensureNodeFirewall } from '../../firewall/firewall.js';
import { ANYWHERE } from '../../firewall/plan.js';
import { noSuchNode } from '../../deploy/node-selection.js';
import { nodeManifest } from '../../deploy/node-sites.js';
import type { NodeSession, WorkflowDeps } from '../../lib/ports.js';
import { runSteps, type Step } from '../../lib/steps.js';

export interface HardenInput {
  name: string;
  /** Who may reach port 22; default: as recorded, else anywhere. */
  sshFrom?: string[];
  /** Confirms a narrowing that leaves this machine out. */
  yes: boolean;
}

export interface HardenResult {
  node: string;
  firewall: { id: string; name: string; sshFrom: string[] };
  /** This machine's address as the node saw it. */
  callerIp: string;
  lockedOut: boolean;
}

interface Ctx {
  input: HardenInput;
  deps: WorkflowDeps;
  session?: NodeSession;
  callerIp?: string;
  sshFrom: string[];
}

/** Where an SSH session comes from, from `$SSH_CONNECTION` (`ip port ip port`). */
export function callerAddress(sshConnectionLine: string): string | undefined {
  const ip = sshConnectionLine.trim().split(/\s+/)[0];
  return ip ? ip.replace(/^::ffff:/, '') : undefined;
}

const node = (ctx: Ctx) => ctx.deps.tx.state.nodes.find((n) => n.name === ctx.input.name)!;

const steps: Step<Ctx>[] = [
  {
    name: 'ssh',
    title: (ctx) => `Connect to ${ctx.input.name} and see this machine's address`,
    async run(ctx) {
      ctx.session = await ctx.deps.connect(node(ctx), () => Promise.resolve());
      ctx.callerIp = callerAddress((await ctx.session.exec(sshConnection())).stdout);
      if (!ctx.callerIp) throw new Error('the node did not say where this SSH session comes from ($SSH_CONNECTION is empty)');
      return ctx.callerIp;
    },
  },
  {
    name: 'lockout',
    title: 'Check that port 22 stays open to this machine',
    async run(ctx) {
      if (cidrsContain(ctx.sshFrom, ctx.callerIp!)) return `${ctx.callerIp} is in ${ctx.sshFrom.join(',')}`;
      const warning = `--ssh-from ${ctx.sshFrom.join(',')} leaves out this machine (${ctx.callerIp}, as ${ctx.input.name} sees it): Dynia will not reach ${ctx.input.name} over SSH any more (no deploys, status or audit) until the firewall lets it in again.`;
      if (!ctx.input.yes)
        throw InputError(
          `${warning} Nothing was changed.`,
          `Add ${ctx.callerIp}/32 to --ssh-from, or pass --yes to lock this machine out on purpose.`,
        );
      ctx.deps.reporter.warn(warning);
      return 'locking this machine out, as confirmed with --yes';
    },
  },
  {
    name: 'firewall',
    title: 'Put the droplet behind its Cloud Firewall (SSH as before)',
    run: (ctx) => ensureNodeFirewall(ctx.deps, ctx.input.name, node(ctx).firewall?.sshFrom ?? ANYWHERE),
  },
  {
    name: 'manifest',
    title: 'Record the firewall (state and /opt/dynia/node.json)',
    async run(ctx) {
      const record = { ...node(ctx), firewall: { ...node(ctx).firewall!, sshFrom: ctx.sshFrom } };
      await ctx.session!.upload(
        LAYOUT.manifest,
        renderManifest(nodeManifest(record, ctx.deps.tx.state.deployments, ctx.deps.clock.date().toISOString())),
      );
    },
  },
  {
    name: 'ssh-from',
    title: (ctx) => `Open port 22 to ${ctx.sshFrom.join(',')} only`,
    run: (ctx) => ensureNodeFirewall(ctx.deps, ctx.input.name, ctx.sshFrom),
  },
];

export async function nodeHarden(input: HardenInput, deps: WorkflowDeps): Promise<HardenResult> {
  const found = deps.tx.state.nodes.find((n) => n.name === input.name);
  if (!found) throw noSuchNode(deps.tx.state, `--name ${input.name}`, 'See dynia node:list.');
  if (found.status !== 'active' || found.dropletId === undefined) {
    throw InputError(
      `node ${input.name} is not finished (status ${found.status}).`,
      `Finish it first: dynia node:create --name ${input.name} (it adds the firewall itself).`,
    );
  }
  const ctx: Ctx = { input, deps, sshFrom: [...(input.sshFrom ?? found.firewall?.sshFrom ?? ANYWHERE)] };
  let failure: unknown;
  try {
    await runSteps(steps, ctx, deps.reporter);
    return {
      node: input.name,
      firewall: node(ctx).firewall!,
      callerIp: ctx.callerIp!,
      lockedOut: !cidrsContain(ctx.sshFrom, ctx.callerIp!),
    };
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    // The open session outlives a narrowing (the firewall is stateful), so this line is still written.
    await appendAudit(ctx.session, deps, {
      command: 'node:harden',
      args: { name: input.name, sshFrom: ctx.sshFrom.join(',') },
      ...auditOutcome(failure),
    });
    await ctx.session?.close();
  }
}

/**
 * A node's Cloud Firewall in the account: made to match the plan (created, updated or left alone) and recorded
 * in state, or released when the node goes. Found by the id state recorded, else by its name, so a run that
 * stopped between the API call and the state write finds it again instead of making a second one.
 */
import type { Firewall } from '../cloud/digitalocean.js';
import type { NodeRecord } from '../state/schema.js';
import { ANYWHERE, pickNodeFirewall, planFirewall } from './plan.js';
import type { WorkflowDeps } from '../lib/ports.js';

export async function findNodeFirewall(
  digitalocean: Pick<WorkflowDeps['digitalocean'], 'listFirewalls'>,
  node: Pick<NodeRecord, 'name' | 'firewall'>,
): Promise<Firewall | undefined> {
  return pickNodeFirewall(await digitalocean.listFirewalls(), node.name, node.firewall?.id);
}

/** Puts the node's droplet behind its firewall with port 22 open to `sshFrom` (default: what state recorded,
 *  else anywhere); returns a progress detail. */
export async function ensureNodeFirewall(deps: WorkflowDeps, name: string, sshFrom?: readonly string[]): Promise<string> {
  const node = deps.tx.state.nodes.find((n) => n.name === name)!;
  if (node.dropletId === undefined) throw new Error(`node ${name} has no droplet yet`);
  const from = [...(sshFrom ?? node.firewall?.sshFrom ?? ANYWHERE)];
  const existing = await findNodeFirewall(deps.digitalocean, node);
  const plan = planFirewall(name, node.dropletId, from, existing);
  const firewall =
    plan.action === 'create'
      ? await deps.digitalocean.createFirewall(plan.request)
      : plan.action === 'update'
        ? await deps.digitalocean.updateFirewall(plan.id, plan.request)
        : existing!;
  await deps.tx.commit((state) => {
    const n = state.nodes.find((x) => x.name === name);
    if (n) n.firewall = { id: firewall.id, name: firewall.name, sshFrom: from };
  });
  const ssh = from.join(',') === ANYWHERE.join(',') ? '' : `, 22 from ${from.join(',')}`;
  if (plan.action === 'create') return `created ${firewall.name}${ssh}`;
  return plan.action === 'update' ? `updated ${firewall.name} (${plan.why.join(', ')})${ssh}` : `${firewall.name} already in place${ssh}`;
}

/** After the droplet is gone: deletes the node's firewall when nothing else uses it, else only detaches it. */
export async function releaseNodeFirewall(deps: WorkflowDeps, node: NodeRecord): Promise<string> {
  const firewall = await findNodeFirewall(deps.digitalocean, node);
  if (!firewall) return 'none';
  const others = firewall.droplet_ids.filter((id) => id !== node.dropletId);
  if (others.length === 0 && firewall.tags.length === 0) {
    return (await deps.digitalocean.deleteFirewall(firewall.id)) ? `deleted ${firewall.name}` : 'already gone';
  }
  if (node.dropletId !== undefined && firewall.droplet_ids.includes(node.dropletId))
    await deps.digitalocean.removeFirewallDroplets(firewall.id, [node.dropletId]);
  const users = [...others.map((id) => `droplet ${id}`), ...firewall.tags.map((t) => `tag ${t}`)];
  return `kept ${firewall.name}: still used by ${users.join(', ')}`;
}

/** What a node's firewall lets in, in words. */
export const describeNodeFirewall = (sshFrom: readonly string[]): string =>
  `TCP 22 from ${sshFrom.join(',') === ANYWHERE.join(',') ? 'anywhere' : sshFrom.join(',')}, TCP 80 and 443 and ICMP from anywhere; everything else is closed`;

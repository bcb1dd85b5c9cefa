/**
 * Before node:create resumes an unfinished node, what the clouds have is compared with what state says and
 * the difference repaired, each repair said: a droplet the interrupted run created but could not record is
 * adopted (a second one for the name is deleted, so none is orphaned), a recorded droplet or DNS record that
 * no longer exists is forgotten so the steps make a new one. The steps themselves then finish the job.
 */
import { publicIpv4, type Droplet } from '../../cloud/digitalocean.js';
import type { NodeRecord } from '../../state/schema.js';
import { DROPLET_TAG } from '../../cloud/droplet-tag.js';
import type { WorkflowDeps } from '../../lib/ports.js';

type Deps = Pick<WorkflowDeps, 'tx' | 'digitalocean' | 'cloudflare' | 'settings' | 'reporter'>;

/** Oldest first: the one an interrupted run made first is the one its later steps may already use. */
const byAge = (a: Droplet, b: Droplet) => a.created_at.localeCompare(b.created_at) || a.id - b.id;

/** The repairs, also reported as `repaired: …` lines. */
export async function reconcileNodeCreate(name: string, deps: Deps): Promise<string[]> {
  const node = deps.tx.state.nodes.find((n) => n.name === name)!;
  const [droplets, records] = await Promise.all([
    deps.digitalocean.listDroplets({ tagName: DROPLET_TAG }),
    deps.cloudflare.listDnsRecords(deps.settings.zoneId, { name: node.fqdn, type: 'A' }),
  ]);
  const repairs: string[] = [];
  const change: Partial<NodeRecord> = {};
  const mine = droplets.filter((d) => d.id === node.dropletId || (d.name === name && d.tags.includes(name))).sort(byAge);
  const keep = mine.find((d) => d.id === node.dropletId) ?? mine[0];
  for (const extra of mine.filter((d) => d !== keep)) {
    await deps.digitalocean.deleteDroplet(extra.id);
    repairs.push(`deleted droplet ${extra.id}, a second droplet for ${name} left by an interrupted run (kept ${keep!.id})`);
  }
  if (node.dropletId !== undefined && keep?.id !== node.dropletId) {
    repairs.push(
      `droplet ${node.dropletId} recorded in state no longer exists; ${keep ? `adopted droplet ${keep.id}` : 'a new one is created'}`,
    );
    Object.assign(change, { dropletId: keep?.id, ip: (keep && publicIpv4(keep)) ?? '', sshHostKey: undefined, stepsDone: [] });
  } else if (node.dropletId === undefined && keep) {
    repairs.push(`adopted droplet ${keep.id}, created by an interrupted run before it could record it`);
    change.dropletId = keep.id;
  }
  const recordIds = new Set(records.map((r) => r.id));
  if (node.dnsRecordId !== undefined && !recordIds.has(node.dnsRecordId)) {
    repairs.push(`DNS record ${node.dnsRecordId} recorded in state no longer exists; it is created again`);
    change.dnsRecordId = undefined;
  } else if (node.dnsRecordId === undefined && records.length > 0) {
    repairs.push(`found ${records.length} A record(s) for ${node.fqdn} that an interrupted run made; the DNS step takes them over`);
  }
  if (Object.keys(change).length > 0) {
    await deps.tx.commit((state) => {
      const draft = state.nodes.find((n) => n.name === name)!;
      for (const [key, value] of Object.entries(change)) {
        if (value === undefined) delete (draft as Record<string, unknown>)[key];
        else (draft as Record<string, unknown>)[key] = value;
      }
    });
  }
  for (const repair of repairs) deps.reporter.info(`repaired: ${repair}`);
  return repairs;
}

/**
 * `dynia node:destroy`: DNS record, droplet, then the node and its deployments in state. Parts already gone
 * are fine (a destroy that failed half-way is simply run again).
 */
import { InputError, reasonOf } from '../../errors.js';
import { appendAudit } from '../../lib/audit.js';
import { releaseNodeFirewall } from '../../firewall/firewall.js';
import type { WorkflowDeps } from '../../lib/ports.js';
import { DROPLET_TAG } from '../../cloud/droplet-tag.js';
import { runSteps, type Step } from '../../lib/steps.js';

interface Ctx {
  name: string;
  deps: WorkflowDeps;
}

const steps: Step<Ctx>[] = [
  {
    // The log goes with the droplet, so this line only survives a destroy that fails; it is written first.
    name: 'audit',
    title: (ctx) => `Log the destroy in the audit log of ${ctx.name}`,
    skip: ({ name, deps }) => (deps.tx.state.nodes.find((n) => n.name === name)!.sshHostKey ? undefined : 'no pinned SSH host key'),
    async run({ name, deps }) {
      const node = deps.tx.state.nodes.find((n) => n.name === name)!;
      // Short: destroying a node that no longer answers is common, and this line is only a courtesy.
      const session = await deps
        .connect(node, () => Promise.resolve(), { timeoutMs: 5000 })
        .catch((error: Error) => {
          deps.reporter.warn(`not logged on ${name}: ${reasonOf(error)}`);
        });
      if (!session) return 'node unreachable';
      await appendAudit(session, deps, { command: 'node:destroy', args: { name }, result: 'started' });
      await session.close();
    },
  },
  {
    name: 'dns-record',
    title: (ctx) => `Delete the DNS records of ${ctx.name}`,
    async run({ name, deps }) {
      const node = deps.tx.state.nodes.find((n) => n.name === name)!;
      const records = (await deps.cloudflare.listDnsRecords(deps.settings.zoneId, { name: node.fqdn, type: 'A' })).filter(
        (r) => r.name === node.fqdn,
      );
      const ids = new Set([...(node.dnsRecordId ? [node.dnsRecordId] : []), ...records.map((r) => r.id)]);
      let deleted = 0;
      for (const id of ids) {
        if (!(await deps.cloudflare.deleteDnsRecord(deps.settings.zoneId, id))) continue;
        deleted++;
        if (id !== node.dnsRecordId)
          deps.reporter.info(`repaired: A record ${id} of ${node.fqdn} was not in state (left by an interrupted run); deleted too`);
      }
      return deleted ? `${deleted} deleted` : 'already gone';
    },
  },
  {
    name: 'droplet',
    title: (ctx) => `Delete the droplet of ${ctx.name}`,
    async run({ name, deps }) {
      const node = deps.tx.state.nodes.find((n) => n.name === name)!;
      const tagged = (await deps.digitalocean.listDroplets({ tagName: DROPLET_TAG })).filter(
        (d) => d.id === node.dropletId || (d.name === name && d.tags.includes(name)),
      );
      let deleted = 0;
      for (const droplet of tagged) {
        if (!(await deps.digitalocean.deleteDroplet(droplet.id))) continue;
        deleted++;
        if (droplet.id !== node.dropletId)
          deps.reporter.info(
            `repaired: droplet ${droplet.id} of ${name} was not in state (left by an interrupted node:create); deleted too`,
          );
      }
      return deleted ? `${deleted} deleted` : 'already gone';
    },
  },
  {
    name: 'firewall',
    title: (ctx) => `Delete the Cloud Firewall of ${ctx.name} unless something else uses it`,
    run: ({ name, deps }) => releaseNodeFirewall(deps, deps.tx.state.nodes.find((n) => n.name === name)!),
  },
  {
    name: 'state',
    title: 'Remove the node and its deployments from state',
    async run({ name, deps }) {
      await deps.tx.commit((state) => {
        state.nodes = state.nodes.filter((n) => n.name !== name);
        state.deployments = state.deployments.filter((d) => d.node !== name);
      });
    },
  },
];

export async function nodeDestroy(name: string, deps: WorkflowDeps): Promise<void> {
  if (!deps.tx.state.nodes.some((n) => n.name === name)) {
    const known = deps.tx.state.nodes.map((n) => n.name).join(', ') || 'none';
    throw InputError(
      `no node named ${name} in state (known: ${known}).`,
      'See dynia node:list; to find nodes missing from state, run dynia state:rebuild.',
    );
  }
  await runSteps(steps, { name, deps }, deps.reporter);
}

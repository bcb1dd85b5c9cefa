import { defineCommand } from '../../cli/define.js';
import { printJson, renderTable } from '../../cli/output.js';
import type { GlobalOptions } from '../../cli/types.js';

export const nodeListCommand = defineCommand({ name: 'node:list', description: 'List the nodes in state', run: runNodeList });

async function runNodeList(_args: unknown, globals: GlobalOptions): Promise<void> {
  const { configFor } = await import('../../cli/context.js');
  const { StateStore } = await import('../../state/store.js');
  const { activeDeployments } = await import('../../deploy/node-sites.js');
  const state = await new StateStore(configFor(globals).stateDir).load();
  if (globals.json) return printJson(state.nodes);
  if (state.nodes.length === 0) {
    process.stderr.write('No nodes yet. Create one: dynia node:create --name web-1\n');
    return;
  }
  const rows = state.nodes.map((node) => [
    node.name,
    node.status,
    node.ip || '-',
    node.fqdn,
    node.healthPath,
    activeDeployments(node, state.deployments)
      .map((d) => `${d.domain}→${d.app}`)
      .join(', ') || 'placeholder',
    node.createdAt.slice(0, 19).replace('T', ' '),
  ]);
  process.stdout.write(`${renderTable(['NAME', 'STATUS', 'IP', 'FQDN', 'HEALTH', 'SERVES', 'CREATED'], rows)}\n`);
}

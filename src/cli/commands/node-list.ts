import { StateStore } from '../../state/store.js';
import { activeDeployments } from '../../workflows/node-sites.js';
import { configFor } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { printJson, renderTable } from '../output.js';

export async function nodeListCommand(_opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
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

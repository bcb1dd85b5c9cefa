import { validateProjectName } from '../../validate/project-name.js';
import { appRemove, planRemove } from '../../workflows/app-remove.js';
import { nodeNames, parallelism, selectNodes } from '../../workflows/node-selection.js';
import { confirmOnTerminal } from '../confirm.js';
import { withWorkflow } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { printJson } from '../output.js';

export async function appRemoveCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const app = validateProjectName(String(opts.app), '--app');
  const names = nodeNames({ node: opts.node as string[] | undefined, all: opts.all === true }, 'app:remove');
  const parallel = parallelism(opts.parallel);
  const volumes = opts.volumes === true;
  const removed = await withWorkflow('app:remove', globals, async (deps) => {
    const plan = planRemove(deps.tx.state, {
      app,
      nodes: names === 'all' ? 'all' : selectNodes(deps.tx.state, names, 'app:remove'),
      volumes,
    });
    const where = plan.nodes.map((n) => n.name).join(', ');
    if (!opts.yes) {
      await confirmOnTerminal(
        `Remove ${app} from ${where}: its containers and files${volumes ? ', and its volumes (data is deleted)' : ' (volumes are kept)'}? [y/N] `,
        'app:remove',
      );
    }
    return appRemove(plan, deps, parallel);
  });
  if (globals.json) return printJson({ app, removed });
  for (const r of removed) {
    const routing = r.domains
      .map((d) => (d === r.fqdn ? `${d} serves the placeholder` : `${d} is no longer routed (its DNS record is left as it is)`))
      .join('; ');
    const kept = [...r.volumes, ...(r.dataDir ? [`data directory ${r.dataDir}`] : [])];
    const data =
      kept.length === 0
        ? 'no volumes or data directory'
        : r.volumesRemoved
          ? `volumes removed: ${kept.join(', ')}`
          : `volumes kept: ${kept.join(', ')} (remove them with --volumes)`;
    process.stderr.write(`✓ ${app} removed from ${r.node} (${r.projects.join(', ')})${routing ? `; ${routing}` : ''}; ${data}\n`);
  }
}

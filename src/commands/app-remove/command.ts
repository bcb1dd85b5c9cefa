import { validateProjectName } from '../../validate/project-name.js';
import { collectNodes, nodeNames, parallelism, selectNodes } from '../../deploy/node-selection.js';
import { defineCommand, flag, list, required, withDefault } from '../../cli/define.js';
import { printJson } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';

const options = {
  app: required('--app <app>', 'the app to remove', validateProjectName),
  node: list('--node <name>', 'a node to remove it from (repeat, or a,b)', collectNodes),
  all: flag('--all', 'every node the app is on', false),
  parallel: withDefault('--parallel <n>', 'nodes worked on at once', '4', parallelism),
  yes: flag('-y, --yes', 'do not ask for confirmation', false),
  volumes: flag('--volumes', "also delete the app's named volumes (its data); kept by default", false),
};

export const appRemoveCommand = defineCommand({
  name: 'app:remove',
  description:
    'Remove an app from nodes: its containers and files; its domain goes back to the placeholder (node FQDN) or its site is removed',
  options,
  help: `Named volumes are kept unless --volumes; the output lists them either way. A custom domain's DNS record is left
as it is. Safe to run again after an interruption.

Examples:
  dynia app:remove --app hello --node web-1
  dynia app:remove --app hello --all --yes --volumes`,
  run: runAppRemove,
});

async function runAppRemove(args: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { withWorkflow } = await import('../../cli/context.js');
  const { confirmOnTerminal } = await import('../../cli/confirm.js');
  const { appRemove, planRemove } = await import('./workflow.js');
  const { app, parallel, volumes } = args;
  const names = nodeNames({ node: args.node, all: args.all }, 'app:remove');
  const removed = await withWorkflow('app:remove', globals, async (deps) => {
    const plan = planRemove(deps.tx.state, {
      app,
      nodes: names === 'all' ? 'all' : selectNodes(deps.tx.state, names, 'app:remove'),
      volumes,
    });
    const where = plan.nodes.map((n) => n.name).join(', ');
    if (!args.yes) {
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

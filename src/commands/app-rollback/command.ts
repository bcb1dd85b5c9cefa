import { parseDuration } from '../../validate/duration.js';
import { validateHostname } from '../../validate/hostname.js';
import { validateNodeName } from '../../validate/node-name.js';
import { validateProjectName } from '../../validate/project-name.js';
import { defineCommand, optional, required, withDefault } from '../../cli/define.js';
import { formatMs, printJson } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';

const options = {
  node: required('--node <name>', 'node the app runs on', validateNodeName),
  domain: optional('--domain <domain>', 'the domain to roll back (default: the only app on the node)', validateHostname, {
    conflicts: 'app',
  }),
  app: optional('--app <app>', 'the app to roll back (default: the only app on the node)', validateProjectName),
  timeout: withDefault(
    '--timeout <duration>',
    'how long the old version may take to become healthy again (e.g. 60s, 2m)',
    '60s',
    parseDuration,
  ),
};

export const appRollbackCommand = defineCommand({
  name: 'app:rollback',
  description: 'Give a domain back to the version deployed before the running one (health-gated, undone on failure)',
  options,
  help: `The previous version is the last superseded deployment of the same app and domain; its compose project is
still on the node, stopped. It is started, checked from inside the node's network, then takes the domain over;
the running version is stopped (not removed) and marked rolled-back.

Example:
  dynia app:rollback --node web-1 --app hello`,
  run: runAppRollback,
});

async function runAppRollback(args: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { openSessionsAhead, withWorkflow } = await import('../../cli/context.js');
  const { selectNodes } = await import('../../deploy/node-selection.js');
  const ahead = openSessionsAhead(globals, (state) => selectNodes(state, [args.node], 'app:rollback'));
  const { appRollback } = await import('./workflow.js');
  const { planRollbackReconciled } = await import('../../deploy/deploy-reconcile.js');
  const { node, domain, app, timeout: timeoutMs } = args;
  const t0 = performance.now();
  const { plan, result } = await withWorkflow(
    'app:rollback',
    globals,
    async (deps) => {
      const plan = await planRollbackReconciled(deps.tx.state, { node, ...(domain ? { domain } : {}), ...(app ? { app } : {}) }, deps);
      return { plan, result: await appRollback({ plan, timeoutMs }, deps) };
    },
    { ahead },
  );
  const url = `https://${plan.previous.domain}/`;
  if (globals.json)
    return printJson({
      deployment: result.deployment,
      replaced: plan.current.project,
      url,
      timings: result.timings,
      remote: result.remote,
    });
  process.stderr.write(
    `✓ ${plan.current.app} on ${plan.node.name} rolled back from ${plan.current.project} to ${plan.previous.project} (deployed ${plan.previous.createdAt}) in ${formatMs(performance.now() - t0)}\n`,
  );
  process.stdout.write(`${url}\n`);
}

import { validateHostname } from '../../validate/hostname.js';
import { validateNodeName } from '../../validate/node-name.js';
import { validateProjectName } from '../../validate/project-name.js';
import { parseDuration } from '../../validate/duration.js';
import { appRollback } from '../../workflows/app-rollback.js';
import { planRollbackReconciled } from '../../workflows/deploy-reconcile.js';
import { withWorkflow } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { formatMs, printJson } from '../output.js';

export async function appRollbackCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const node = validateNodeName(String(opts.node), '--node');
  const domain = opts.domain === undefined ? undefined : validateHostname(String(opts.domain), '--domain');
  const app = opts.app === undefined ? undefined : validateProjectName(String(opts.app), '--app');
  const timeoutMs = parseDuration(String(opts.timeout), '--timeout');
  const t0 = performance.now();
  const { plan, result } = await withWorkflow('app:rollback', globals, async (deps) => {
    const plan = await planRollbackReconciled(deps.tx.state, { node, ...(domain ? { domain } : {}), ...(app ? { app } : {}) }, deps);
    return { plan, result: await appRollback({ plan, timeoutMs }, deps) };
  });
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

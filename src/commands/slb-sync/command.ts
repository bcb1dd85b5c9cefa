import { validateRoutePattern, validateWorkerName } from '../../slb/input.js';
import type { SlbSyncResult } from './workflow.js';
import { defineCommand, flag, optional, withDefault } from '../../cli/define.js';
import { formatMs, printJson, renderTable } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';

// Everything the user typed is checked before any API call.
const options = {
  name: withDefault('--name <worker>', 'Worker script name', 'dynia-slb', validateWorkerName),
  health: flag('--no-health', 'publish every active node without probing it'),
  route: optional('--route <pattern>', 'serve the Worker on a zone route (e.g. app.example.com/*)', validateRoutePattern, {
    conflicts: 'workersDev',
  }),
  workersDev: flag('--workers-dev', 'serve the Worker on its workers.dev URL (default when no --route)'),
  dryRun: flag('--dry-run', 'show current and new ORIGINS, change nothing', false),
  allowEmpty: flag('--allow-empty', 'publish even when no origin is healthy', false),
};

export const slbSyncCommand = defineCommand({
  name: 'slb:sync',
  description: 'Publish the healthy nodes as ORIGINS of the load-balancing Worker and deploy it',
  options,
  run: runSlbSync,
});

async function runSlbSync(args: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { withWorkflow } = await import('../../cli/context.js');
  const { slbSync } = await import('./workflow.js');
  const { name, route } = args;
  const t0 = performance.now();
  const result = await withWorkflow('slb:sync', globals, (deps, config) =>
    slbSync(
      {
        name,
        accountId: config.require('cloudflareAccountId'),
        health: args.health,
        ...(route ? { route } : {}),
        workersDevUrlTemplate: config.require('dyniaWorkersDevUrl'),
        dryRun: args.dryRun,
        allowEmpty: args.allowEmpty,
      },
      deps,
    ),
  );
  if (result.dryRun) return printDryRun(name, result, globals);
  if (globals.json) return printJson({ url: result.url, origins: result.origins, dropped: result.dropped });
  const dropped = result.dropped.length ? `, ${result.dropped.length} dropped` : '';
  const what = result.uploaded ? 'published' : 'already published (unchanged)';
  if (!globals.quiet)
    process.stderr.write(`✓ Worker ${name}: ${result.origins.length} origin(s) ${what}${dropped} in ${formatMs(performance.now() - t0)}\n`);
  process.stdout.write(`${result.url}\n`);
}

/** Current and new ORIGINS side by side on stdout; nothing was changed. */
async function printDryRun(name: string, result: SlbSyncResult, globals: GlobalOptions): Promise<void> {
  if (globals.json) {
    printJson({ dryRun: true, url: result.url, current: result.current, origins: result.origins, dropped: result.dropped });
    return;
  }
  const { sideBySide } = await import('../../slb/origins.js');
  const rows = sideBySide(result.current ?? [], result.origins);
  process.stdout.write(
    `${renderTable([`CURRENT (${result.current === null ? 'none' : result.current.length})`, `NEW (${result.origins.length})`], rows)}\n`,
  );
  if (!globals.quiet) {
    const change = result.unchanged ? 'the same origins' : result.current === null ? `Worker ${name} has no ORIGINS yet` : 'a change';
    process.stderr.write(`· dry run: ${change}; nothing was changed\n`);
  }
}

import { slbSync, type SlbSyncResult } from '../../workflows/slb-sync.js';
import { validateRoutePattern, validateWorkerName } from '../../workflows/slb-input.js';
import { sideBySide } from '../../workflows/slb-origins.js';
import { withWorkflow } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { formatMs, printJson, renderTable } from '../output.js';

export async function slbSyncCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  // Everything the user typed is checked before any API call.
  const name = validateWorkerName(String(opts.name));
  const route = opts.route === undefined ? undefined : validateRoutePattern(String(opts.route));
  const t0 = performance.now();
  const result = await withWorkflow('slb:sync', globals, (deps, config) =>
    slbSync(
      {
        name,
        accountId: config.require('cloudflareAccountId'),
        health: opts.health !== false,
        ...(route ? { route } : {}),
        workersDevUrlTemplate: config.require('dyniaWorkersDevUrl'),
        dryRun: opts.dryRun === true,
        allowEmpty: opts.allowEmpty === true,
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
function printDryRun(name: string, result: SlbSyncResult, globals: GlobalOptions): void {
  if (globals.json) {
    printJson({ dryRun: true, url: result.url, current: result.current, origins: result.origins, dropped: result.dropped });
    return;
  }
  const rows = sideBySide(result.current ?? [], result.origins);
  process.stdout.write(
    `${renderTable([`CURRENT (${result.current === null ? 'none' : result.current.length})`, `NEW (${result.origins.length})`], rows)}\n`,
  );
  if (!globals.quiet) {
    const change = result.unchanged ? 'the same origins' : result.current === null ? `Worker ${name} has no ORIGINS yet` : 'a change';
    process.stderr.write(`· dry run: ${change}; nothing was changed\n`);
  }
}

import { slbStatus } from '../../workflows/slb-status.js';
import { validateWorkerName } from '../../workflows/slb-input.js';
import { withClients } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { printJson, renderTable } from '../output.js';

/** Read-only: no state lock, nothing written. */
export async function slbStatusCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const name = validateWorkerName(String(opts.name));
  const status = await withClients(globals, ({ config, cloudflare }) =>
    slbStatus({ name, accountId: config.require('cloudflareAccountId') }, { cloudflare }),
  );
  if (globals.json) return printJson(status);
  const rows = status.origins.map((o) => [o.origin, o.verdict, String(o.failures), o.checkedAt ?? '-', o.since ?? '-', o.error ?? '']);
  process.stdout.write(`${renderTable(['ORIGIN', 'VERDICT', 'FAILURES', 'PROBED', 'SINCE', 'LAST ERROR'], rows)}\n`);
  if (!globals.quiet) {
    const cron = status.crons.length ? `probes on cron ${status.crons.join(', ')}` : 'no Cron Trigger: run dynia slb:sync';
    process.stderr.write(`· Worker ${status.name}: ${cron}; record written ${status.recordedAt ?? 'never (no probe yet)'}\n`);
  }
}

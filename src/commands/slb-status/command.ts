import { validateWorkerName } from '../../slb/input.js';
import { defineCommand, withDefault } from '../../cli/define.js';
import { printJson, renderTable } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';

const options = { name: withDefault('--name <worker>', 'Worker script name', 'dynia-slb', validateWorkerName) };

export const slbStatusCommand = defineCommand({
  name: 'slb:status',
  description: "Show each origin's health verdict as the Worker sees it, and when it was probed",
  options,
  help: `Example:
  dynia slb:status
  dynia slb:status --name dynia-slb --json`,
  run: runSlbStatus,
});

/** Read-only: no state lock, nothing written. */
async function runSlbStatus({ name }: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { withClients } = await import('../../cli/context.js');
  const { slbStatus } = await import('./workflow.js');
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

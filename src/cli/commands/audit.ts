import { tailIfExists } from '../../node/audit-commands.js';
import { StateStore } from '../../state/store.js';
import { validateNodeName } from '../../validate/node-name.js';
import { parseAuditLines } from '../../workflows/audit.js';
import { configFor, connectNode } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { printJson, renderTable } from '../output.js';
import { pinnedNode, positiveCount } from './node-access.js';

export async function auditCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const name = validateNodeName(String(opts.node), '--node');
  const lines = positiveCount(String(opts.tail), '--tail');
  const config = configFor(globals);
  const node = pinnedNode(await new StateStore(config.stateDir).load(), name);
  const session = await connectNode(node, config.require('dyniaSshKey'), () => Promise.resolve());
  let text: string;
  try {
    text = (await session.exec(tailIfExists(lines))).stdout;
  } finally {
    await session.close();
  }
  const entries = parseAuditLines(text);
  if (globals.json) return printJson(entries);
  if (entries.length === 0) {
    process.stderr.write(`No audit entries on ${name} yet.\n`);
    return;
  }
  const rows = entries.map((e) =>
    'raw' in e
      ? ['', '', '(unreadable line)', '', e.raw]
      : [
          e.time.slice(0, 19).replace('T', ' '),
          e.user ?? '',
          e.command,
          e.result,
          [
            Object.entries(e.args ?? {})
              .map(([k, v]) => `${k}=${String(v)}`)
              .join(' '),
            e.reason,
          ]
            .filter(Boolean)
            .join(' — '),
        ],
  );
  process.stdout.write(`${renderTable(['TIME (UTC)', 'USER', 'COMMAND', 'RESULT', 'DETAILS'], rows)}\n`);
}

import { validateNodeName } from '../../validate/node-name.js';
import { defineCommand, required, withDefault } from '../../cli/define.js';
import { printJson, renderTable } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';
import { pinnedNode, positiveCount } from '../../cli/node-access.js';

const options = {
  node: required('--node <name>', 'node to read the log of', validateNodeName),
  tail: withDefault('--tail <n>', 'last N entries', '20', positiveCount),
};

export const auditCommand = defineCommand({
  name: 'audit',
  description: "Show a node's audit log: who ran which state-changing command against it, and how it ended",
  options,
  help: 'The log is /opt/dynia/audit.log on the node, one JSON line per node:create, app:deploy, app:rollback\nand node:destroy (written before it deletes, as "started").\n\nExample:\n  dynia audit --node web-1 --tail 50',
  run: runAudit,
});

async function runAudit({ node: name, tail: lines }: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { configFor, connectNode } = await import('../../cli/context.js');
  const { StateStore } = await import('../../state/store.js');
  const { parseAuditLines } = await import('../../lib/audit.js');
  const { tailIfExists } = await import('../../node/audit-commands.js');
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

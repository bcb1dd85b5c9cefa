import { appListRows, APP_LIST_HEADERS, listApps } from './workflow.js';
import { defineCommand } from '../../cli/define.js';
import { printJson, renderTable } from '../../cli/output.js';
import type { GlobalOptions } from '../../cli/types.js';

export const appListCommand = defineCommand({
  name: 'app:list',
  description: 'Every app per node: the version that serves (hash, time), domain, entry, status; nodes on another version are flagged',
  help: "Read-only, from the state file (no node is contacted).\n\nExamples:\n  dynia app:list\n  dynia app:list --json | jq '.[] | select(.versions > 1)'",
  run: runAppList,
});

/** Read-only, from state: no lock, no node contact. */
async function runAppList(_args: unknown, globals: GlobalOptions): Promise<void> {
  const { configFor } = await import('../../cli/context.js');
  const { StateStore } = await import('../../state/store.js');
  const listing = listApps(await new StateStore(configFor(globals).stateDir).load());
  if (globals.json) return printJson(listing);
  if (listing.length === 0) {
    process.stderr.write('No apps deployed. Deploy one: dynia app:deploy --all --compose ./compose.yaml\n');
    return;
  }
  process.stdout.write(`${renderTable(APP_LIST_HEADERS, appListRows(listing))}\n`);
  for (const { app, nodes, versions } of listing) {
    if (versions > 1 && !globals.quiet) {
      process.stderr.write(
        `! ${app} runs ${versions} versions: ${nodes
          .filter((n) => n.differs)
          .map((n) => n.node)
          .join(', ')} differ from the others (dynia app:deploy --node … to align them)\n`,
      );
    }
  }
}

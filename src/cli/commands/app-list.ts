import { StateStore } from '../../state/store.js';
import { appListRows, APP_LIST_HEADERS, listApps } from '../../workflows/app-list.js';
import { configFor } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { printJson, renderTable } from '../output.js';

/** Read-only, from state: no lock, no node contact. */
export async function appListCommand(_opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
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

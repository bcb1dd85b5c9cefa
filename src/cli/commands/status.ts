import { StateStore } from '../../state/store.js';
import { nodeStatuses, statusProblems, statusRow, STATUS_HEADERS } from '../../workflows/node-status.js';
import { configFor, digitaloceanClient, nodePorts } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { createReporter, printJson, renderTable } from '../output.js';

/** Read-only: no lock, nothing written (not even a host key: nodes without a pinned key are not contacted). */
export async function statusCommand(_opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const config = configFor(globals);
  const state = await new StateStore(config.stateDir).load();
  if (state.nodes.length === 0) {
    if (globals.json) return printJson([]);
    process.stderr.write('No nodes in state. Create one (dynia node:create --name web-1) or rebuild a lost state (dynia state:rebuild).\n');
    return;
  }
  const reporter = createReporter(globals);
  const digitalocean = digitaloceanClient(config, reporter);
  const sshKeyPath = config.require('dyniaSshKey');
  const resolvers = config.require('dyniaDnsResolvers').map(({ ip, port }) => ({ host: ip, port }));
  try {
    const statuses = await nodeStatuses(state, { digitalocean, settings: { resolvers }, ...nodePorts(sshKeyPath, resolvers) });
    if (globals.json) return printJson(statuses);
    process.stdout.write(`${renderTable(STATUS_HEADERS, statuses.map(statusRow))}\n`);
    const problems = statuses.flatMap(statusProblems);
    if (problems.length && !globals.quiet) process.stderr.write(`\n${problems.map((p) => `! ${p}`).join('\n')}\n`);
  } finally {
    await digitalocean.close();
  }
}

import { defineCommand } from '../../cli/define.js';
import { createReporter, printJson, renderTable } from '../../cli/output.js';
import type { GlobalOptions } from '../../cli/types.js';

export const statusCommand = defineCommand({
  name: 'status',
  description: 'Check every node now: droplet, DNS at each resolver, Caddy, health over HTTPS, what it serves, last deployment',
  help: "Read-only. Nodes are contacted with their pinned SSH host key only.\n\nExample:\n  dynia status --json | jq '.[] | select(.ok | not)'",
  run: runStatus,
});

/** Read-only: no lock, nothing written (not even a host key: nodes without a pinned key are not contacted). */
async function runStatus(_args: unknown, globals: GlobalOptions): Promise<void> {
  const { configFor, digitaloceanClient, nodePorts } = await import('../../cli/context.js');
  const { StateStore } = await import('../../state/store.js');
  const { nodeStatuses, statusProblems, statusRow, STATUS_HEADERS } = await import('./workflow.js');
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

import { validateNodeName } from '../../validate/node-name.js';
import { defineCommand, flag, required } from '../../cli/define.js';
import { printJson } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';

const options = {
  name: required('--name <name>', 'node to destroy', validateNodeName),
  yes: flag('-y, --yes', 'do not ask for confirmation', false),
};

export const nodeDestroyCommand = defineCommand({
  name: 'node:destroy',
  description: 'Delete a node: its DNS record, its droplet, and its entries in state',
  options,
  run: runNodeDestroy,
});

async function runNodeDestroy({ name, yes }: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { withWorkflow } = await import('../../cli/context.js');
  const { confirmOnTerminal } = await import('../../cli/confirm.js');
  const { nodeDestroy } = await import('./workflow.js');
  if (!yes) await confirmOnTerminal(`Destroy node ${name}: its droplet, DNS record and everything running on it? [y/N] `, 'node:destroy');
  await withWorkflow('node:destroy', globals, (deps) => nodeDestroy(name, deps));
  if (globals.json) return printJson({ destroyed: name });
  process.stderr.write(`✓ node ${name} destroyed\n`);
}

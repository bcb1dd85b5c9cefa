import { validateNodeName } from '../../validate/node-name.js';
import { nodeDestroy } from '../../workflows/node-destroy.js';
import { confirmOnTerminal } from '../confirm.js';
import { withWorkflow } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { printJson } from '../output.js';

export async function nodeDestroyCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const name = validateNodeName(String(opts.name));
  if (!opts.yes)
    await confirmOnTerminal(`Destroy node ${name}: its droplet, DNS record and everything running on it? [y/N] `, 'node:destroy');
  await withWorkflow('node:destroy', globals, (deps) => nodeDestroy(name, deps));
  if (globals.json) return printJson({ destroyed: name });
  process.stderr.write(`✓ node ${name} destroyed\n`);
}

import { createInterface } from 'node:readline/promises';
import { InputError } from '../../errors.js';
import { validateNodeName } from '../../validate/node-name.js';
import { nodeDestroy } from '../../workflows/node-destroy.js';
import { withWorkflow } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { printJson } from '../output.js';

export async function nodeDestroyCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const name = validateNodeName(String(opts.name));
  if (!opts.yes) await confirm(`Destroy node ${name}: its droplet, DNS record and everything running on it? [y/N] `);
  await withWorkflow('node:destroy', globals, (deps) => nodeDestroy(name, deps));
  if (globals.json) return printJson({ destroyed: name });
  process.stderr.write(`✓ node ${name} destroyed\n`);
}

async function confirm(question: string): Promise<void> {
  if (!process.stdin.isTTY) throw InputError('node:destroy needs confirmation and there is no terminal to ask.', 'Pass --yes to confirm.');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(question);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw InputError('not confirmed; nothing was changed.');
}

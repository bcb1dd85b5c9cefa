import { createInterface } from 'node:readline/promises';
import { InputError } from '../errors.js';

/** Asks on the terminal; without one (scripts, CI) the caller must have been told to pass `--yes`. */
export async function confirmOnTerminal(question: string, command: string, nothingDone = 'nothing was changed'): Promise<void> {
  if (!process.stdin.isTTY)
    throw InputError(`${command} needs confirmation and there is no terminal to ask; ${nothingDone}.`, 'Pass --yes to confirm.');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(question);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw InputError(`not confirmed; ${nothingDone}.`);
}

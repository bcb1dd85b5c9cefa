/**
 * The release step: label `dynia.release` on the entry service names a command (a migration, say) run once
 * per deploy in a one-off container of the new version. The label is split into words the way compose splits
 * a string `command:` (whitespace, with '…' and "…" quoting); it reaches the node as argv, never as shell text.
 */
import { InputError } from '../errors.js';
import type { ComposeFile } from './parse.js';

const RELEASE_LABEL = 'dynia.release';

export function splitWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i]!;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i]!;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) return undefined;
  if (word !== undefined) words.push(word);
  return words;
}

/** The release command of the entry service as argv, or undefined when it has none. */
export function releaseCommand(file: ComposeFile, entryService: string): string[] | undefined {
  const service = file.services.find((s) => s.name === entryService);
  const label = service?.labels[RELEASE_LABEL];
  if (label === undefined) return undefined;
  const where = file.where(['services', entryService, 'labels']);
  const words = splitWords(label);
  // eslint-disable-next-line no-control-regex
  if (!words || words.length === 0 || /[\u0000-\u0008\u000e-\u001f]/.test(label)) {
    throw InputError(
      `${where}: label ${RELEASE_LABEL} ${JSON.stringify(label)} is not a command (${words ? 'empty or control characters' : 'an unclosed quote'}).`,
      `e.g. ${RELEASE_LABEL}: "bin/migrate --yes"`,
    );
  }
  return words;
}

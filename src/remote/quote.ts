/** A command as data: program and arguments, never a shell string. */
export type Argv = readonly string[];

const SAFE = /^[A-Za-z0-9_\-+=/.,:@%]+$/;

/** POSIX-shell quoting of one word: safe words stay bare, everything else goes in single quotes. */
export function quoteWord(word: string): string {
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The only place Dynia turns argv into shell text (for SSH exec, which takes one string). */
export function shellQuote(argv: Argv): string {
  if (argv.length === 0) throw new Error('shellQuote: empty argv');
  return argv.map(quoteWord).join(' ');
}

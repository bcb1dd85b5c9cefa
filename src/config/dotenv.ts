/**
 * A `.env` file in the working directory: where tokens may live instead of the shell's environment (never in
 * config.json). `KEY=value` lines, optional `export `, single or double quotes, `#` comments.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const raw = match[2]!;
    const quoted = /^(['"])(.*?)\1(?:\s+#.*)?$/.exec(raw);
    values[match[1]!] = quoted ? (quoted[1] === '"' ? quoted[2]!.replace(/\\n/g, '\n') : quoted[2]!) : raw.replace(/\s+#.*$/, '');
  }
  return values;
}

const dotenvPath = (cwd: string): string => join(cwd, '.env');

export function readDotenv(cwd: string): Record<string, string> {
  try {
    return parseDotenv(readFileSync(dotenvPath(cwd), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw ConfigError(`Cannot read ${dotenvPath(cwd)}: ${(error as Error).message}`);
  }
}

/**
 * Writes to `<stateDir>/config.json`: merges the given keys into what the file holds (other keys are kept as
 * they are) and replaces the file atomically. Used by `dynia init` and by the Cloudflare id cache; neither
 * ever writes a token.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import { SETTINGS, type ConfigKey } from './config.js';

export function mergeConfigFile(path: string, values: Partial<Record<ConfigKey, string>>): void {
  for (const key of Object.keys(values) as ConfigKey[]) {
    if (SETTINGS[key].secret) throw new Error(`refusing to write the secret ${SETTINGS[key].env} to ${path}`);
  }
  const current = readObject(path);
  const next = { ...current, ...values };
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o644 });
  renameSync(temp, path);
}

function readObject(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw ConfigError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const data = JSON.parse(text) as unknown;
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) return data as Record<string, unknown>;
  } catch {
    // reported below, as for a non-object
  }
  throw ConfigError(`${path} is not a JSON object; it is left as it is.`, 'Fix the file or remove it.');
}

/**
 * The SLB Worker's code as uploaded: `dist/worker.js` next to the bundled CLI (`npm run build` writes it), or,
 * when the CLI runs from its TypeScript sources (tsx, development only), bundled on the fly from worker/.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../../errors.js';

/** `sha256:<hex>` of what defines the deployed Worker's behaviour: its code and compatibility date. */
export function workerCodeHash(code: string, compatibilityDate: string): string {
  return `sha256:${createHash('sha256').update(`${compatibilityDate}\n`).update(code).digest('hex')}`;
}

/** `fromUrl` is the running module: `dist/cli.js`, a chunk in `dist/chunks/`, or this file under tsx. */
export async function loadWorkerCode(fromUrl: string = import.meta.url): Promise<string> {
  const from = fileURLToPath(fromUrl);
  if (from.endsWith('.ts')) return bundleFromSources(from);
  const file = await findBundledWorker(dirname(from));
  if (!file) {
    throw ConfigError(
      `the bundled SLB Worker (dist/worker.js) was not found next to the CLI (${from}).`,
      'Build it: npm run build (it writes dist/cli.js and dist/worker.js together).',
    );
  }
  return readFile(file, 'utf8');
}

/** Looks upward from the CLI's directory for `dist/worker.js`: the CLI is `dist/cli.js` or `dist/chunks/*.js`. */
export async function findBundledWorker(startDir: string): Promise<string | undefined> {
  for (let dir = startDir; ; dir = dirname(dir)) {
    const candidates = [...(basename(dir) === 'dist' ? [join(dir, 'worker.js')] : []), join(dir, 'dist', 'worker.js')];
    for (const file of candidates) if (await isFile(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}

async function bundleFromSources(from: string): Promise<string> {
  // A computed specifier keeps esbuild (worker/bundle.ts imports it) out of the CLI bundle.
  const bundler = pathToFileURL(join(dirname(from), '..', '..', '..', 'worker', 'bundle.ts')).href;
  const { bundleWorker } = (await import(bundler)) as { bundleWorker(): Promise<string> };
  return bundleWorker();
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

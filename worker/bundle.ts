/** Builds the Worker into the single ES module that is uploaded (slb:sync) or run by workerd (tests, bench). */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const WORKER_ENTRY = fileURLToPath(new URL('./src/index.ts', import.meta.url));

export { WORKER_COMPATIBILITY_DATE } from './compatibility.js';

export async function bundleWorker(): Promise<string> {
  const result = await build({
    entryPoints: [WORKER_ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    legalComments: 'none',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no Worker bundle');
  return output.text;
}

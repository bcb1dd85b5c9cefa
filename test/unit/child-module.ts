/**
 * Test code for child processes as one plain ES module: the TypeScript it imports and the packages too, so the
 * child starts under plain node (no tsx: a tenth of the start-up) from any directory, a temporary one included.
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bundles `source` (module text; relative imports resolve from `resolveDir`) into `outfile`; returns its URL. */
export async function childModule(source: string, resolveDir: string, outfile: string): Promise<string> {
  await build({
    stdin: { contents: source, loader: 'ts', resolveDir, sourcefile: join(resolveDir, 'child.ts') },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // Bundled CommonJS packages (undici) call require() for node: modules; give the ES module one.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  return pathToFileURL(outfile).href;
}

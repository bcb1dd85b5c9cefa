// Bundles each unit-tier test file (with the sources it imports) into one plain ES module (under .build/), so
// node runs them without tsx: tsx would load and resolve the same ~100 TypeScript modules again in every one of the
// ~85 test processes. Packages stay external (resolved from node_modules, as under tsx).
// Usage: node scripts/build-tests.mjs <out dir> test/unit/a.test.ts ... ; writes <out dir>/test/unit/a.test.js ...
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { build, transform } from 'esbuild';

// In a bundle, import.meta.url would name the bundle; every module keeps its own source URL instead, so paths
// computed from it (worker/bundle.ts finding worker/src/, a test finding the repo root, worker-code.ts telling
// "running from sources") mean what they mean under tsx. esbuild's define replaces the expression, not text in
// strings; the inline source map lets the bundle's map point at the .ts lines still.
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const define = { 'import.meta.url': JSON.stringify(pathToFileURL(path).href) };
      const { code } = await transform(source, { loader: 'ts', format: 'esm', define, sourcemap: 'inline', sourcefile: path });
      return { contents: code, loader: 'js' };
    });
  },
};

const [outdir, ...entryPoints] = process.argv.slice(2);
if (outdir === undefined || entryPoints.length === 0) {
  console.error('usage: node scripts/build-tests.mjs <out dir> <test file>...');
  process.exit(2);
}
await build({
  entryPoints,
  outdir,
  outbase: '.',
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [ownUrl],
});

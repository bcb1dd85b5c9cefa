// Bundles the CLI, the sandbox daemon and the SLB Worker. ssh2 (optional native addon) and miniflare (ships
// the workerd binary) stay external: they are loaded from node_modules, and only by the commands that need them.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  external: ['ssh2', 'miniflare', 'tsx', 'tsx/*'],
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: { cli: 'src/cli/main.ts', 'sandbox-daemon': 'sandbox/daemon/main.ts' }, outdir: 'dist', splitting: true, chunkNames: 'chunks/[name]-[hash]' }),
  // The Worker runs in workerd, not Node: browser-like platform, one self-contained module.
  build({ entryPoints: ['worker/src/index.ts'], outfile: 'dist/worker.js', bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', logLevel: 'warning' }),
]);

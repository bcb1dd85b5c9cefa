// Bundles the CLI (what the npm package ships), the sandbox (daemon and `dynia sandbox` commands, repository
// only) and the SLB Worker. ssh2 (optional native addon) stays external: it is the package's one runtime
// dependency. miniflare (ships the workerd binary) is a devDependency that only the sandbox loads.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: without a clean start, old chunks would pile up (and be packed).
rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  splitting: true,
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
};

const [cli] = await Promise.all([
  // The CLI reaches the sandbox only through the external ./sandbox-cli.js (src/cli/sandbox-entry.ts).
  build({
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    chunkNames: 'chunks/[name]-[hash]',
    external: ['ssh2', './sandbox-cli.js'],
  }),
  build({
    ...common,
    entryPoints: { 'sandbox-daemon': 'sandbox/daemon/main.ts', 'sandbox-cli': 'src/cli/sandbox-cli.ts' },
    outdir: 'dist',
    chunkNames: 'sandbox-chunks/[name]-[hash]',
    external: ['ssh2', 'miniflare', 'tsx', 'tsx/*'],
  }),
  // The Worker runs in workerd, not Node: browser-like platform, one self-contained module.
  build({
    entryPoints: ['worker/src/index.ts'],
    outfile: 'dist/worker.js',
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'warning',
  }),
]);

// The published package holds dist/cli.js and dist/chunks/ only: nothing of the sandbox may be in them.
const leaked = Object.keys(cli.metafile.inputs).filter((input) => /^(sandbox\/|node_modules\/(miniflare|workerd|tsx)\/)/.test(input));
if (leaked.length > 0) {
  console.error(`build: the CLI bundle must not contain sandbox-only code, but includes:\n  ${leaked.join('\n  ')}`);
  process.exit(1);
}

// --help, --version and usage errors load only what dist/cli.js imports statically: keep the API clients, SSH,
// YAML and the rest behind the dynamic imports inside each command's run (src/cli/command-table.ts).
const atStartup = new Set(['dist/cli.js']);
const packages = new Set();
for (const output of atStartup) {
  const { inputs, imports } = cli.metafile.outputs[output];
  for (const input of Object.keys(inputs)) packages.add(input.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1]);
  for (const { path, kind, external } of imports) if (kind === 'import-statement') (external ? packages : atStartup).add(path);
}
const heavy = [...packages].filter((name) => name !== undefined && name !== 'commander' && !name.startsWith('node:'));
if (heavy.length > 0) {
  console.error(`build: dist/cli.js must load no package but commander at startup, but loads: ${heavy.join(', ')}`);
  process.exit(1);
}

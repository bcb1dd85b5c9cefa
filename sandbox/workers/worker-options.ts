/** Turns a deploy request into Miniflare options for one Worker (pure; no I/O). */
import type { WorkerRuntime } from '../emulators/ports.js';

export type DeploySpec = Parameters<WorkerRuntime['deploy']>[0];
type Module = DeploySpec['modules'][number];

/** Miniflare's module types; JSON has none, so JSON modules become an ES module exporting the value. */
export interface MiniflareModule {
  type: 'ESModule' | 'CommonJS' | 'Text';
  path: string;
  contents: string;
}

export interface WorkerOptionsInput {
  spec: DeploySpec;
  /** Newest compatibility date the bundled workerd supports (miniflare's `supportedCompatibilityDate`). */
  newestSupportedDate: string;
}

function toMiniflareModule(module: Module): MiniflareModule {
  switch (module.type) {
    case 'esm':
      return { type: 'ESModule', path: module.name, contents: module.content };
    case 'commonjs':
      return { type: 'CommonJS', path: module.name, contents: module.content };
    case 'text':
      return { type: 'Text', path: module.name, contents: module.content };
    case 'json':
      return { type: 'ESModule', path: module.name, contents: `export default ${JSON.stringify(JSON.parse(module.content))};` };
  }
}

/**
 * The main module goes first (Miniflare's entrypoint is the first module). A compatibility date newer than the
 * bundled workerd knows (e.g. "today" from a client) is lowered to the newest supported one, as workerd would
 * otherwise refuse to start.
 */
export function miniflareWorkerOptions({ spec, newestSupportedDate }: WorkerOptionsInput) {
  const main = spec.modules.find((m) => m.name === spec.mainModule);
  if (!main) throw new Error(`Main module "${spec.mainModule}" is not among the uploaded modules.`);
  const modules = [main, ...spec.modules.filter((m) => m !== main)].map(toMiniflareModule);
  const requested = spec.compatibilityDate;
  const compatibilityDate = requested === undefined || requested > newestSupportedDate ? newestSupportedDate : requested;
  return { name: spec.name, modules, bindings: { ...spec.bindings }, compatibilityDate };
}

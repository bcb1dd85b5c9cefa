/**
 * The one way the CLI reaches the sandbox. `./sandbox-cli.js` is external to the CLI bundle, so it resolves
 * next to dist/cli.js in a checkout (npm run build writes it) or to the TypeScript source under tsx; an
 * installed package has neither, and says what to do instead.
 */
import { ConfigError } from '../errors.js';

type SandboxCommands = typeof import('./sandbox-cli.js');

export async function loadSandboxCommands(
  load: () => Promise<SandboxCommands> = () => import('./sandbox-cli.js'),
): Promise<SandboxCommands> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' || !/sandbox-cli/.test((error as Error).message)) throw error;
    throw ConfigError(
      'dynia sandbox needs a repository checkout: the installed package carries only the CLI for the real clouds.',
      'Clone the repository, then: npm ci && npm run build && node bin/dynia.js sandbox up',
    );
  }
}

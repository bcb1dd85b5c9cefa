/**
 * The `dynia sandbox` commands as one separately built module (dist/sandbox-cli.js). The published package
 * leaves it out, with everything it pulls in (miniflare, the images, the scripts): the CLI reaches it only
 * through loadSandboxCommands() below.
 */
export { sandboxDownCommand, sandboxEnvCommand, sandboxImageCommand, sandboxStatusCommand, sandboxUpCommand } from './commands/sandbox.js';

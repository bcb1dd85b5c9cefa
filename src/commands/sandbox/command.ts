/** `dynia sandbox …`: flags and help here; what they run is loaded only then, from the sandbox's own module. */
import { argument, defineCommand, defineGroup, list } from '../../cli/define.js';
import { loadSandboxCommands } from '../../cli/sandbox-entry.js';

const imageArgs = {
  dir: argument('<dir>', 'directory with a Dockerfile (FROM ${BASE} is given the sandbox busybox image)'),
  name: argument('<name>', 'Docker Hub name the node hosts will pull, e.g. myorg/app:1'),
};

export const sandboxCommands = defineGroup(
  'sandbox',
  'The local stand-in for the cloud: Docker node hosts, DNS, ACME CA, API emulators, workerd',
  [
    defineCommand({
      name: 'up',
      description: 'Start the sandbox (idempotent)',
      run: async (_args, globals) => (await loadSandboxCommands()).sandboxUpCommand(globals),
    }),
    defineCommand({
      name: 'down',
      description: 'Stop the sandbox and remove everything it started',
      run: async (_args, globals) => (await loadSandboxCommands()).sandboxDownCommand(globals),
    }),
    defineCommand({
      name: 'env',
      description: 'Print the export lines that point Dynia at the sandbox: eval "$(dynia sandbox env)"',
      run: async () => (await loadSandboxCommands()).sandboxEnvCommand(),
    }),
    defineCommand({
      name: 'image',
      description: 'Build an image from a directory on this machine and push it to the sandbox registry under a Docker Hub name',
      options: { buildArg: list('--build-arg <KEY=VALUE...>', 'extra docker build arguments') },
      arguments: imageArgs,
      run: async (args, globals) => (await loadSandboxCommands()).sandboxImageCommand(args, globals),
    }),
    defineCommand({
      name: 'status',
      description: 'Show what the sandbox runs',
      run: async (_args, globals) => (await loadSandboxCommands()).sandboxStatusCommand(globals),
    }),
  ],
);

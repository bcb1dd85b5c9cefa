/**
 * Entry point. Only flag parsing and wiring live here; each command's action is imported lazily so that
 * `dynia --version` and `--help` stay fast.
 */
import { Command, Option } from 'commander';
import { reportError } from './output.js';
import { VERSION } from './version.js';

export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
  stateDir?: string;
}

type Action = (opts: Record<string, unknown>, globals: GlobalOptions) => Promise<void>;

/** Wraps a lazily imported action: maps errors to exit codes and never prints secrets. */
function run(load: () => Promise<Action>) {
  // commander passes positional arguments first, then the options, then the command.
  return async (...args: unknown[]) => {
    const cmd = args.at(-1) as Command;
    const opts = { ...(args.at(-2) as Record<string, unknown>), args: args.slice(0, -2) };
    const globals = cmd.optsWithGlobals() as GlobalOptions;
    try {
      await (await load())(opts, globals);
    } catch (err) {
      process.exitCode = reportError(err, globals);
    }
  };
}

export function buildProgram(): Command {
  const program = new Command('dynia')
    .description('Run a handful of servers: droplets with Caddy and automatic HTTPS, health-gated deploys, a load-balancing Worker.')
    .version(VERSION, '-v, --version')
    .option('--json', 'print machine-readable JSON on stdout (progress still goes to stderr)', false)
    .option('-q, --quiet', 'no progress output', false)
    .option('--state-dir <dir>', 'where state.json lives (env DYNIA_STATE_DIR, default .dynia)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Configuration (flags > environment > .dynia/config.json > defaults):
  DIGITALOCEAN_TOKEN, CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_ZONE_ID,
  DYNIA_DOMAIN, DYNIA_DNS_RESOLVERS, DYNIA_SSH_KEY, DYNIA_ACME_CA, DYNIA_ACME_CA_ROOT, DYNIA_STATE_DIR

Try it locally, no cloud account needed:
  dynia sandbox up && eval "$(dynia sandbox env)"
  dynia node:create --name web-1
  dynia app:deploy --node web-1 --compose examples/hello/compose.yaml
  dynia slb:sync`,
    );

  program
    .command('node:create')
    .description('Create a droplet, point <name>.<domain> at it, and bring up Caddy (HTTPS) with a placeholder site')
    .requiredOption('--name <name>', 'node name: a DNS label (a-z, 0-9, -), becomes <name>.<domain>')
    .option('--health-path <path>', 'path every health check of this node uses', '/')
    .option('--region <slug>', 'DigitalOcean region', 'nyc3')
    .option('--size <slug>', 'DigitalOcean size', 's-1vcpu-1gb')
    .option('--image <slug>', 'DigitalOcean image', 'ubuntu-24-04-x64')
    .option('--ssh-key <id|fingerprint>', 'DigitalOcean SSH key to install (default: the one matching DYNIA_SSH_KEY)')
    .option('--dns-timeout <seconds>', 'how long to wait for DNS propagation', '120')
    .addHelpText('after', '\nExample:\n  dynia node:create --name web-1 --health-path /healthz')
    .action(run(async () => (await import('./commands/node-create.js')).nodeCreateCommand));

  program
    .command('node:list')
    .description('List the nodes in state')
    .action(run(async () => (await import('./commands/node-list.js')).nodeListCommand));

  program
    .command('node:destroy')
    .description('Delete a node: its DNS record, its droplet, and its entries in state')
    .requiredOption('--name <name>', 'node to destroy')
    .option('-y, --yes', 'do not ask for confirmation', false)
    .action(run(async () => (await import('./commands/node-destroy.js')).nodeDestroyCommand));

  program
    .command('app:deploy')
    .description('Deploy a compose app to a node behind Caddy: health-gated, zero-downtime swap, rollback on failure')
    .requiredOption('--node <name>', 'target node')
    .requiredOption('--compose <file>', 'compose file of the app')
    .option('--name <app>', 'app name (default: the compose file name or its top-level `name:`)')
    .option('--timeout <duration>', 'how long the app may take to become healthy (e.g. 60s, 2m)', '60s')
    .option('--force', 'deploy even if the same compose file is already active', false)
    .addHelpText(
      'after',
      `
How the entry point is found:
  service:  the one named "web", or labelled dynia.entry=true
  port:     label dynia.port, else the first exposed/published container port
  domain:   label dynia.domain, else the node's FQDN`,
    )
    .action(run(async () => (await import('./commands/app-deploy.js')).appDeployCommand));

  program
    .command('slb:sync')
    .description('Publish the healthy nodes as ORIGINS of the load-balancing Worker and deploy it')
    .option('--name <worker>', 'Worker script name', 'dynia-slb')
    .option('--no-health', 'publish every active node without probing it')
    .addOption(new Option('--route <pattern>', 'serve the Worker on a zone route (e.g. app.example.com/*)').conflicts('workersDev'))
    .option('--workers-dev', 'serve the Worker on its workers.dev URL (default when no --route)')
    .option('--dry-run', 'show current and new ORIGINS, change nothing', false)
    .option('--allow-empty', 'publish even when no origin is healthy', false)
    .action(run(async () => (await import('./commands/slb-sync.js')).slbSyncCommand));

  const sandbox = program
    .command('sandbox')
    .description('The local stand-in for the cloud: Docker node hosts, DNS, ACME CA, API emulators, workerd');
  sandbox
    .command('up')
    .description('Start the sandbox (idempotent)')
    .action(run(async () => (await import('./commands/sandbox.js')).sandboxUpCommand));
  sandbox
    .command('down')
    .description('Stop the sandbox and remove everything it started')
    .action(run(async () => (await import('./commands/sandbox.js')).sandboxDownCommand));
  sandbox
    .command('env')
    .description('Print the export lines that point Dynia at the sandbox: eval "$(dynia sandbox env)"')
    .action(run(async () => (await import('./commands/sandbox.js')).sandboxEnvCommand));
  sandbox
    .command('image')
    .description('Build an image from a directory on this machine and push it to the sandbox registry under a Docker Hub name')
    .argument('<dir>', 'directory with a Dockerfile (FROM ${BASE} is given the sandbox busybox image)')
    .argument('<name>', 'Docker Hub name the node hosts will pull, e.g. myorg/app:1')
    .option('--build-arg <KEY=VALUE...>', 'extra docker build arguments')
    .action(run(async () => (await import('./commands/sandbox.js')).sandboxImageCommand));
  sandbox
    .command('status')
    .description('Show what the sandbox runs')
    .action(run(async () => (await import('./commands/sandbox.js')).sandboxStatusCommand));

  return program;
}

await buildProgram().parseAsync(process.argv);

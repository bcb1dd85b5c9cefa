/**
 * Entry point. Only flag parsing and wiring live here; each command's action is imported lazily so that
 * `dynia --version` and `--help` stay fast.
 */
import { Command, Option } from 'commander';
import { EXIT_CODES } from '../errors.js';
import { collectNodes } from '../workflows/node-selection.js';
import { FLEET_DEPLOY_HELP, registerAppOps } from './app-ops-program.js';
import { reportError } from './output.js';
import { loadSandboxCommands } from './sandbox-entry.js';
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
    // Usage errors (unknown option, missing argument) are bad input like any other: exit 2, as documented.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_CODES.input))
    .addHelpText(
      'after',
      `
Configuration (flags > environment > ./.env > .dynia/config.json > defaults):
  DIGITALOCEAN_TOKEN, CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_ZONE_ID,
  DYNIA_DOMAIN, DYNIA_DNS_RESOLVERS, DYNIA_SSH_KEY, DYNIA_ACME_CA, DYNIA_ACME_CA_ROOT, DYNIA_STATE_DIR

First time on your own accounts: dynia init (then dynia doctor checks everything, read-only).

Try it locally, no cloud account needed (from a repository checkout):
  dynia sandbox up && eval "$(dynia sandbox env)"
  dynia node:create --name web-1
  dynia sandbox image examples/hello dynia-examples/hello:1
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
    .option('--ssh-from <cidr,...>', 'addresses/CIDRs the Cloud Firewall lets reach port 22 (default anywhere; include this machine)')
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
    .command('node:harden')
    .description('Put an existing node behind its Cloud Firewall (TCP 22, 80, 443 and ICMP in), optionally narrowing port 22')
    .requiredOption('--name <name>', 'node to harden')
    .option('--ssh-from <cidr,...>', 'addresses/CIDRs that may reach port 22 (default: as recorded, else anywhere)')
    .option('-y, --yes', 'allow a --ssh-from that leaves out this machine (locks Dynia out of SSH)', false)
    .addHelpText(
      'after',
      '\nNew nodes get the firewall from node:create; this is for nodes made before, and for changing --ssh-from.\n\nExample:\n  dynia node:harden --name web-1 --ssh-from 203.0.113.7/32',
    )
    .action(run(async () => (await import('./commands/node-harden.js')).nodeHardenCommand));

  program
    .command('node:trust')
    .description('Pin the SSH host key a node offers now (after its host was rebuilt); shows the fingerprint and asks first')
    .requiredOption('--name <name>', 'node whose key to pin')
    .option('-y, --yes', 'pin without asking (only when you know why the key changed)', false)
    .action(run(async () => (await import('./commands/node-trust.js')).nodeTrustCommand));

  program
    .command('app:deploy')
    .description('Deploy a compose app to a node behind Caddy: health-gated, zero-downtime swap, rollback on failure')
    .option('--node <name>', 'target node (repeat it, or a,b, for a fleet deploy)', collectNodes)
    .option('--all', 'every active node', false)
    .option('--parallel <n>', 'nodes worked on at once', '4')
    .requiredOption('--compose <file>', 'compose file of the app')
    .option('--name <app>', "app name (default: the file's top-level name:, else its directory's name)")
    .option('--env-file <file...>', 'variables to interpolate with, inside the app directory (default: its .env)')
    .option('--dry-run', 'print the plan (entry, files, data services, warnings) without contacting the node', false)
    .option('--timeout <duration>', 'how long the app may take to become healthy (e.g. 60s, 2m)', '60s')
    .option('--force', 'deploy even if the same app directory is already active', false)
    .addHelpText(
      'after',
      `
How the entry point is found:
  service:  the one named "web", or labelled dynia.entry=true; else the only service, else the only one publishing a TCP port
  port:     label dynia.port, else the first TCP ports container port, else the first TCP expose
  domain:   label dynia.domain, else the node's FQDN
Data: a service with a volume or a writable bind-mounted directory (or label dynia.data=true) runs once, updated in place.
${FLEET_DEPLOY_HELP}
  dynia app:deploy --node web-1 --compose examples/shop/compose.yaml --dry-run
  dynia app:deploy --node web-1 --compose ./compose.yaml --env-file .env.prod`,
    )
    .action(run(async () => (await import('./commands/app-deploy.js')).appDeployCommand));

  program
    .command('app:rollback')
    .description('Give a domain back to the version deployed before the running one (health-gated, undone on failure)')
    .requiredOption('--node <name>', 'node the app runs on')
    .addOption(new Option('--domain <domain>', 'the domain to roll back (default: the only app on the node)').conflicts('app'))
    .option('--app <app>', 'the app to roll back (default: the only app on the node)')
    .option('--timeout <duration>', 'how long the old version may take to become healthy again (e.g. 60s, 2m)', '60s')
    .addHelpText(
      'after',
      `
The previous version is the last superseded deployment of the same app and domain; its compose project is
still on the node, stopped. It is started, checked from inside the node's network, then takes the domain over;
the running version is stopped (not removed) and marked rolled-back.

Example:
  dynia app:rollback --node web-1 --app hello`,
    )
    .action(run(async () => (await import('./commands/app-rollback.js')).appRollbackCommand));

  program
    .command('app:logs')
    .description("Show the logs of an app's running version (docker compose logs over SSH)")
    .requiredOption('--node <name>', 'node the app runs on')
    .option('--app <app>', 'app (default: the only app on the node)')
    .option('--service <service>', "compose service (default: the app's entry service)")
    .option('-f, --follow', 'keep streaming new lines until Ctrl-C', false)
    .option('--tail <n>', 'lines of history per container, or "all"', '100')
    .addHelpText('after', '\nExample:\n  dynia app:logs --node web-1 --app hello --follow')
    .action(run(async () => (await import('./commands/app-logs.js')).appLogsCommand));

  registerAppOps(program, run);

  program
    .command('status')
    .description('Check every node now: droplet, DNS at each resolver, Caddy, health over HTTPS, what it serves, last deployment')
    .addHelpText(
      'after',
      "\nRead-only. Nodes are contacted with their pinned SSH host key only.\n\nExample:\n  dynia status --json | jq '.[] | select(.ok | not)'",
    )
    .action(run(async () => (await import('./commands/status.js')).statusCommand));

  program
    .command('audit')
    .description("Show a node's audit log: who ran which state-changing command against it, and how it ended")
    .requiredOption('--node <name>', 'node to read the log of')
    .option('--tail <n>', 'last N entries', '20')
    .addHelpText(
      'after',
      '\nThe log is /opt/dynia/audit.log on the node, one JSON line per node:create, app:deploy, app:rollback\nand node:destroy (written before it deletes, as "started").\n\nExample:\n  dynia audit --node web-1 --tail 50',
    )
    .action(run(async () => (await import('./commands/audit.js')).auditCommand));

  program
    .command('state:rebuild')
    .description('Rebuild a lost or stale state file from DigitalOcean, Cloudflare and the nodes themselves')
    .option('-y, --yes', 'write without asking (needed without a terminal)', false)
    .option('--dry-run', 'show the rebuilt state and the changes, write nothing', false)
    .addHelpText(
      'after',
      `
Reads droplets tagged dynia, the zone's A records and each node's /opt/dynia/node.json over SSH, probes
https://<fqdn><health path>, shows the result and the changes against the current file, and writes it after
confirmation (the current file is kept as state.json.bak-<time>). Host keys the current state pinned are
verified; unknown ones are trusted on first use, and the output says so.

What is not whole is reported, never guessed:
  droplet + A record + manifest         active node, with the manifest's health path and deployments
  droplet + manifest, no A record       kept as failed with its deployments (node:create re-creates the record)
  droplet + A record, SSH fails         kept as failed with what the cloud tells: name, ip, droplet, record;
                                        no deployments (run state:rebuild again once it answers)
  droplet + A record, no manifest       kept as failed (node:create finishes it)
  nothing ties a droplet to the zone    left out (no A record and no manifest of this domain)
  A record like <node>.<domain> → IP of no dynia droplet: reported only
Every finding is in --json output under "findings".

Example:
  dynia state:rebuild --dry-run
  dynia state:rebuild --yes --json`,
    )
    .action(run(async () => (await import('./commands/state-rebuild.js')).stateRebuildCommand));

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

  program
    .command('slb:status')
    .description("Show each origin's health verdict as the Worker sees it, and when it was probed")
    .option('--name <worker>', 'Worker script name', 'dynia-slb')
    .addHelpText(
      'after',
      `
Example:
  dynia slb:status
  dynia slb:status --name dynia-slb --json`,
    )
    .action(run(async () => (await import('./commands/slb-status.js')).slbStatusCommand));

  program
    .command('init')
    .description('Write .dynia/config.json from two questions (domain, SSH key), then run doctor; tokens stay in the environment or .env')
    .option('--domain <domain>', 'domain served by your Cloudflare zone (default: DYNIA_DOMAIN)')
    .option('--ssh-key <path>', 'SSH private key Dynia logs in with (default: DYNIA_SSH_KEY, else ~/.ssh/id_ed25519 if it exists)')
    .option('-y, --yes', 'ask nothing: take the flags and the defaults (for scripts)', false)
    .addHelpText('after', '\nExample:\n  dynia init\n  dynia init --yes --domain example.com --ssh-key ~/.ssh/dynia')
    .action(run(async () => (await import('./commands/init.js')).initCommand));

  program
    .command('doctor')
    .description(
      'Check every setting against the APIs, changing nothing: tokens and their permissions, zone, account, SSH key, resolvers, ACME',
    )
    .addHelpText(
      'after',
      '\nOne line per check with the fix for each failure; exit 2 when any fails. Tokens are never printed.\n\nExample:\n  dynia doctor\n  dynia doctor --json | jq \'.checks[] | select(.status == "fail")\'',
    )
    .action(run(async () => (await import('./commands/doctor.js')).doctorCommand));

  const sandbox = program
    .command('sandbox')
    .description('The local stand-in for the cloud: Docker node hosts, DNS, ACME CA, API emulators, workerd');
  sandbox
    .command('up')
    .description('Start the sandbox (idempotent)')
    .action(run(async () => (await loadSandboxCommands()).sandboxUpCommand));
  sandbox
    .command('down')
    .description('Stop the sandbox and remove everything it started')
    .action(run(async () => (await loadSandboxCommands()).sandboxDownCommand));
  sandbox
    .command('env')
    .description('Print the export lines that point Dynia at the sandbox: eval "$(dynia sandbox env)"')
    .action(run(async () => (await loadSandboxCommands()).sandboxEnvCommand));
  sandbox
    .command('image')
    .description('Build an image from a directory on this machine and push it to the sandbox registry under a Docker Hub name')
    .argument('<dir>', 'directory with a Dockerfile (FROM ${BASE} is given the sandbox busybox image)')
    .argument('<name>', 'Docker Hub name the node hosts will pull, e.g. myorg/app:1')
    .option('--build-arg <KEY=VALUE...>', 'extra docker build arguments')
    .action(run(async () => (await loadSandboxCommands()).sandboxImageCommand));
  sandbox
    .command('status')
    .description('Show what the sandbox runs')
    .action(run(async () => (await loadSandboxCommands()).sandboxStatusCommand));

  return program;
}

await buildProgram().parseAsync(process.argv);

/**
 * Entry point: the program with its global flags, then every command from the table (command-table.ts),
 * each registered with the one shared action (register.ts).
 */
import { Command } from 'commander';
import { EXIT_CODES } from '../errors.js';
import { COMMANDS } from './command-table.js';
import { registerCommands } from './register.js';
import { VERSION } from './version.js';

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

  registerCommands(program, COMMANDS);
  return program;
}

await buildProgram().parseAsync(process.argv);

/** The fleet-era app commands (app:list, app:remove, app:exec), registered beside the others in main.ts. */
import type { Command } from 'commander';
import { collectNodes } from '../workflows/node-selection.js';
import type { GlobalOptions } from './main.js';

/** app:deploy's help about fleets and the release step (the command itself is registered in main.ts). */
export const FLEET_DEPLOY_HELP = `
Several nodes (--node a --node b, --node a,b, or --all): every node starts the new version and passes its
internal health check (its own health path) before any node swaps; if one fails, none swaps and each new
version is removed. After the swaps, a node failing its external check rolls every node back. Nodes already
running this file are skipped unless --force.

Release step: label dynia.release: "bin/migrate --yes" on the entry runs that command once per deploy, in a
one-off container of the new version on the first node, after start and before any swap; a non-zero exit
stops the deploy (nothing swaps) and shows its output.

Examples:
  dynia app:deploy --node web-1 --compose ./compose.yaml
  dynia app:deploy --all --compose ./compose.yaml --parallel 2
  dynia app:deploy --node web-1,web-2 --compose ./compose.yaml --force`;

type Runner = (
  load: () => Promise<(opts: Record<string, unknown>, globals: GlobalOptions) => Promise<void>>,
) => (...args: unknown[]) => Promise<void>;

export function registerAppOps(program: Command, run: Runner): void {
  program
    .command('app:list')
    .description('Every app per node: the version that serves (hash, time), domain, entry, status; nodes on another version are flagged')
    .addHelpText(
      'after',
      "\nRead-only, from the state file (no node is contacted).\n\nExamples:\n  dynia app:list\n  dynia app:list --json | jq '.[] | select(.versions > 1)'",
    )
    .action(run(async () => (await import('./commands/app-list.js')).appListCommand));

  program
    .command('app:remove')
    .description(
      'Remove an app from nodes: its containers and files; its domain goes back to the placeholder (node FQDN) or its site is removed',
    )
    .requiredOption('--app <app>', 'the app to remove')
    .option('--node <name>', 'a node to remove it from (repeat, or a,b)', collectNodes)
    .option('--all', 'every node the app is on', false)
    .option('--parallel <n>', 'nodes worked on at once', '4')
    .option('-y, --yes', 'do not ask for confirmation', false)
    .option('--volumes', "also delete the app's named volumes (its data); kept by default", false)
    .addHelpText(
      'after',
      `
Named volumes are kept unless --volumes; the output lists them either way. A custom domain's DNS record is left
as it is. Safe to run again after an interruption.

Examples:
  dynia app:remove --app hello --node web-1
  dynia app:remove --app hello --all --yes --volumes`,
    )
    .action(run(async () => (await import('./commands/app-remove.js')).appRemoveCommand));

  program
    .command('app:exec')
    .description("Run a command in an app's running service (a terminal when stdin is one); its exit code is passed through")
    .requiredOption('--node <name>', 'node the app runs on')
    .option('--app <app>', 'app (default: the only app on the node)')
    .option('--service <service>', "compose service (default: the app's entry service)")
    .option('--new', 'run it in a fresh one-off container of the active version instead (compose run --rm --no-deps)', false)
    .argument('<command...>', 'the command and its arguments, after --')
    .addHelpText(
      'after',
      `
Only the program's name (not its arguments, which may hold secrets) is written to the node's audit log.

Examples:
  dynia app:exec --node web-1 -- ls -la /data
  dynia app:exec --node web-1 --app shop --service worker -- sh
  dynia app:exec --node web-1 --new -- bin/migrate --dry-run`,
    )
    .action(run(async () => (await import('./commands/app-exec.js')).appExecCommand));
}

import { InputError } from '../../errors.js';
import { composeContainerName, dataProject } from '../../node/layout.js';
import { runAttached } from '../../remote/attached.js';
import { validateNodeName } from '../../validate/node-name.js';
import { validateProjectName } from '../../validate/project-name.js';
import { activeApp } from '../../deploy/app-select.js';
import { defineCommand, flag, optional, required, variadic } from '../../cli/define.js';
import { createReporter } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';
import { composeService, pinnedNode } from '../../cli/node-access.js';

function commandLine(argv: string[]): string[] {
  if (argv.length === 0 || argv[0] === '')
    throw InputError('app:exec: no command given.', 'Put it after --, e.g. dynia app:exec --node web-1 -- ls -la');
  return argv;
}

const options = {
  node: required('--node <name>', 'node the app runs on', validateNodeName),
  app: optional('--app <app>', 'app (default: the only app on the node)', validateProjectName),
  service: optional('--service <service>', "compose service (default: the app's entry service)", composeService),
  new: flag('--new', 'run it in a fresh one-off container of the active version instead (compose run --rm --no-deps)', false),
};
const positionals = { command: variadic('<command...>', 'the command and its arguments, after --', commandLine) };

export const appExecCommand = defineCommand({
  name: 'app:exec',
  description: "Run a command in an app's running service (a terminal when stdin is one); its exit code is passed through",
  options,
  arguments: positionals,
  help: `Only the program's name (not its arguments, which may hold secrets) is written to the node's audit log.

Examples:
  dynia app:exec --node web-1 -- ls -la /data
  dynia app:exec --node web-1 --app shop --service worker -- sh
  dynia app:exec --node web-1 --new -- bin/migrate --dry-run`,
  run: runAppExec,
});

/**
 * Runs a command in the app's running service (`docker exec`), or with --new in a fresh one-off container of
 * the active version (`compose run --rm --no-deps`); a terminal when stdin is one; the exit code is passed
 * through. The state lock is held only to read which version is active: a console may run for hours.
 */
async function runAppExec(args: ArgsOf<typeof options, typeof positionals>, globals: GlobalOptions): Promise<void> {
  const { configFor, localPorts } = await import('../../cli/context.js');
  const { execInContainer, runOneOff } = await import('../../node/app-ops-commands.js');
  const { SshSession } = await import('../../remote/ssh.js');
  const { StateStore } = await import('../../state/store.js');
  const { appTarget } = await import('../../deploy/deploy-shared.js');
  const { appendAudit } = await import('../../lib/audit.js');
  const { node: name, app, service, command: argv, new: oneOff } = args;
  const config = configFor(globals);
  const state = await new StateStore(config.stateDir).withLock('app:exec', async (tx) => tx.state);
  const node = pinnedNode(state, name);
  const deployment = activeApp(state, node, app);
  const target = service ?? deployment.entryService;
  // A data service runs once, in the app's data project; a one-off copy of it would be a second one.
  const isData = deployment.dataHashes?.[target] !== undefined;
  if (isData && oneOff) {
    throw InputError(
      `--new --service ${target}: ${target} holds data and runs exactly once; a one-off copy would be a second one beside it.`,
      `Run it in the running container: drop --new (dynia app:exec --node ${name} --service ${target} -- …).`,
    );
  }
  const project = isData ? dataProject(deployment.app) : deployment.project;
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const remote = oneOff
    ? runOneOff(appTarget(project), target, argv, tty)
    : execInContainer(composeContainerName(project, target), argv, tty);
  const session = await SshSession.connect({
    host: node.ip,
    privateKeyPath: config.require('dyniaSshKey'),
    nodeName: node.name,
    pinnedHostKey: node.sshHostKey!,
  });
  try {
    const code = await runAttached(session, remote, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, tty);
    // Only the program's name reaches the audit log: arguments may carry secrets (a connection string, say).
    const args = {
      node: node.name,
      app: deployment.app,
      project,
      service: target,
      new: oneOff,
      program: argv[0],
      argc: argv.length - 1,
    };
    await appendAudit(
      session,
      { reporter: createReporter(globals), ...localPorts() },
      {
        command: 'app:exec',
        args,
        ...(code === 0 ? { result: 'ok' } : { result: 'failed', reason: `exit code ${code}` }),
      },
    );
    process.exitCode = code;
  } finally {
    await session.close();
  }
}

import { InputError } from '../../errors.js';
import { composeContainerName, dataProject } from '../../node/layout.js';
import { execInContainer, runOneOff } from '../../node/app-ops-commands.js';
import { runAttached } from '../../remote/attached.js';
import { SshSession } from '../../remote/ssh.js';
import { StateStore } from '../../state/store.js';
import { validateNodeName } from '../../validate/node-name.js';
import { validateProjectName } from '../../validate/project-name.js';
import { activeApp } from '../../workflows/app-select.js';
import { appendAudit } from '../../workflows/audit.js';
import { appTarget } from '../../workflows/deploy-shared.js';
import { configFor, localPorts } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { createReporter } from '../output.js';
import { pinnedNode } from './node-access.js';

const SERVICE = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/**
 * Runs a command in the app's running service (`docker exec`), or with --new in a fresh one-off container of
 * the active version (`compose run --rm --no-deps`); a terminal when stdin is one; the exit code is passed
 * through. The state lock is held only to read which version is active: a console may run for hours.
 */
export async function appExecCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const name = validateNodeName(String(opts.node), '--node');
  const app = opts.app === undefined ? undefined : validateProjectName(String(opts.app), '--app');
  const service = opts.service === undefined ? undefined : String(opts.service);
  if (service !== undefined && !SERVICE.test(service))
    throw InputError(`--service "${service}" is not a compose service name.`, 'e.g. --service web');
  const argv = ((opts.args as unknown[] | undefined)?.[0] as string[] | undefined) ?? [];
  if (argv.length === 0 || argv[0] === '')
    throw InputError('app:exec: no command given.', 'Put it after --, e.g. dynia app:exec --node web-1 -- ls -la');
  const config = configFor(globals);
  const state = await new StateStore(config.stateDir).withLock('app:exec', async (tx) => tx.state);
  const node = pinnedNode(state, name);
  const deployment = activeApp(state, node, app);
  const target = service ?? deployment.entryService;
  // A data service runs once, in the app's data project; a one-off copy of it would be a second one.
  const isData = deployment.dataHashes?.[target] !== undefined;
  if (isData && opts.new) {
    throw InputError(
      `--new --service ${target}: ${target} holds data and runs exactly once; a one-off copy would be a second one beside it.`,
      `Run it in the running container: drop --new (dynia app:exec --node ${name} --service ${target} -- …).`,
    );
  }
  const project = isData ? dataProject(deployment.app) : deployment.project;
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const remote = opts.new
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
      new: opts.new === true,
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

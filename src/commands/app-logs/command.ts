import { RemoteError } from '../../errors.js';
import { dataProject } from '../../node/layout.js';
import { validateNodeName } from '../../validate/node-name.js';
import { activeApp } from '../../deploy/app-select.js';
import { defineCommand, flag, optional, required, withDefault } from '../../cli/define.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';
import { composeService, pinnedNode, positiveCount } from '../../cli/node-access.js';

const options = {
  node: required('--node <name>', 'node the app runs on', validateNodeName),
  app: optional('--app <app>', 'app (default: the only app on the node)'),
  service: optional('--service <service>', "compose service (default: the app's entry service)", composeService),
  follow: flag('-f, --follow', 'keep streaming new lines until Ctrl-C', false),
  tail: withDefault('--tail <n>', 'lines of history per container, or "all"', '100', (value, flag) =>
    value === 'all' ? undefined : positiveCount(value, flag),
  ),
};

export const appLogsCommand = defineCommand({
  name: 'app:logs',
  description: "Show the logs of an app's running version (docker compose logs over SSH)",
  options,
  help: 'Example:\n  dynia app:logs --node web-1 --app hello --follow',
  run: runAppLogs,
});

/** Streams `docker compose logs` of the app's active project; with --follow until Ctrl-C. */
async function runAppLogs(args: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { configFor } = await import('../../cli/context.js');
  const { SshSession } = await import('../../remote/ssh.js');
  const { StateStore } = await import('../../state/store.js');
  const { appTarget } = await import('../../deploy/deploy-shared.js');
  const { composeLogsCommand } = await import('../../node/log-commands.js');
  const { node: name, service, tail } = args;
  const config = configFor(globals);
  const state = await new StateStore(config.stateDir).load();
  const node = pinnedNode(state, name);
  const deployment = activeApp(state, node, args.app);
  const session = await SshSession.connect({
    host: node.ip,
    privateKeyPath: config.require('dyniaSshKey'),
    nodeName: node.name,
    pinnedHostKey: node.sshHostKey!,
  });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // A data service runs once, in the app's data project, not in the colour.
    const project =
      service !== undefined && deployment.dataHashes?.[service] !== undefined ? dataProject(deployment.app) : deployment.project;
    const argv = composeLogsCommand(appTarget(project), {
      service: service ?? deployment.entryService,
      ...(tail === undefined ? {} : { tail }),
      follow: args.follow,
    });
    const code = await session.stream(
      argv,
      { stdout: (chunk) => process.stdout.write(chunk), stderr: (chunk) => process.stderr.write(chunk) },
      stop.signal,
    );
    if (code !== 0 && !stop.signal.aborted)
      throw RemoteError(
        `on ${node.name}: docker compose logs of ${deployment.project} exited with code ${code}.`,
        'See the lines above; is the service name right?',
      );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.close();
  }
}

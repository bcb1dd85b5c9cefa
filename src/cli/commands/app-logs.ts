import { InputError, RemoteError } from '../../errors.js';
import { composeLogsCommand } from '../../node/log-commands.js';
import { SshSession } from '../../remote/ssh.js';
import { StateStore } from '../../state/store.js';
import { validateNodeName } from '../../validate/node-name.js';
import { activeApp } from '../../workflows/app-select.js';
import { appTarget } from '../../workflows/deploy-shared.js';
import { dataProject } from '../../node/layout.js';
import { configFor } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { pinnedNode, positiveCount } from './node-access.js';

const SERVICE = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** Streams `docker compose logs` of the app's active project; with --follow until Ctrl-C. */
export async function appLogsCommand(opts: Record<string, unknown>, _globals: GlobalOptions): Promise<void> {
  const name = validateNodeName(String(opts.node), '--node');
  const tail = opts.tail === 'all' ? undefined : positiveCount(String(opts.tail), '--tail');
  const service = opts.service === undefined ? undefined : String(opts.service);
  if (service !== undefined && !SERVICE.test(service))
    throw InputError(`--service "${service}" is not a compose service name.`, 'e.g. --service web');
  const config = configFor(_globals);
  const state = await new StateStore(config.stateDir).load();
  const node = pinnedNode(state, name);
  const deployment = activeApp(state, node, opts.app === undefined ? undefined : String(opts.app));
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
      follow: opts.follow === true,
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

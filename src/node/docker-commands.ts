import type { Argv } from '../remote/quote.js';
import { EDGE_NETWORK } from './layout.js';

/** Exit code 0 iff the network exists. */
export const networkInspect = (network = EDGE_NETWORK): Argv => ['docker', 'network', 'inspect', network];

export const networkCreate = (network = EDGE_NETWORK): Argv => ['docker', 'network', 'create', network];

/** Docker refuses to connect a container twice; to change aliases, disconnect first. */
export const networkConnect = (container: string, alias: string, network = EDGE_NETWORK): Argv => [
  'docker',
  'network',
  'connect',
  '--alias',
  alias,
  network,
  container,
];

export const networkDisconnect = (container: string, network = EDGE_NETWORK): Argv => [
  'docker',
  'network',
  'disconnect',
  network,
  container,
];

/** Succeeds once the Docker daemon answers (cloud-init may still be installing it); prints the server version. */
export const dockerReady = (): Argv => ['docker', 'info', '--format', '{{.ServerVersion}}'];

import type { Argv } from '../remote/quote.js';
import { CADDY_CONTAINER } from './layout.js';

/** Prints `true` or `false`; fails when there is no such container. */
export const containerRunning = (container: string = CADDY_CONTAINER): Argv => ['docker', 'inspect', '-f', '{{.State.Running}}', container];

/** One line per running container: its name, a tab, its published ports (`0.0.0.0:8081->80/tcp, ...`). */
export const publishedPorts = (): Argv => ['docker', 'ps', '--format', '{{.Names}}\t{{.Ports}}'];

/** `client-ip client-port server-ip server-port`: who this SSH session comes from, as the node sees it. */
export const sshConnection = (): Argv => ['sh', '-c', 'echo "$SSH_CONNECTION"'];

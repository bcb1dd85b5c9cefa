/**
 * Caddy for a node that is not serving yet (node:create). `applyCaddyfile` trusts the file on disk, but a run
 * killed between moving the new file into place and reloading leaves a Caddy still running the old config
 * next to the right file. A resumed create cannot tell, so it reloads when the file is already in place;
 * Caddy itself ignores a reload of the config it already runs, so this costs one round trip and no restart.
 */
import { caddyReload } from '../node/caddy/caddy-commands.js';
import type { Remote } from '../remote/remote.js';
import { applyCaddyfile } from './caddy-config.js';

export async function ensureCaddyRuns(remote: Remote, text: string): Promise<string> {
  if ((await applyCaddyfile(remote, text)) === 'reloaded') return 'reloaded';
  await remote.exec(caddyReload());
  return 'file already in place; reloaded in case an earlier run stopped before its reload';
}

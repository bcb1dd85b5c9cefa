/**
 * What a node actually runs of one app, read in ONE remote command before a deploy or rollback acts (so a
 * run killed half-way is seen and repaired): every container of the app's two colour projects (running or
 * not, on `edge` or not, its aliases there), then the Caddyfile and the manifest as they are on disk. A retire
 * still going on after the last swap (retire-commands.ts) is waited for first, so what is read has settled.
 */
import { RemoteError } from '../errors.js';
import type { Argv } from '../remote/quote.js';
import { EDGE_NETWORK, LAYOUT, RETIRING_DIR } from './layout.js';
import { WAIT_RETIRED } from './retire-commands.js';

export const COLOURS = ['blue', 'green'] as const;

const SCRIPT = [
  WAIT_RETIRED,
  'wait_retired "$5/$1-blue" "$5/$1-green"',
  // Two docker calls whatever the count: the app's containers by name, inspected at once, kept by project label.
  'ids=$(docker ps -aq --filter name="^$1-")',
  `[ -z "$ids" ] || docker inspect -f '{{.Name}}|{{index .Config.Labels "com.docker.compose.project"}}|{{index .Config.Labels "com.docker.compose.service"}}|{{.State.Running}}|{{with index .NetworkSettings.Networks "${EDGE_NETWORK}"}}{{range .Aliases}}{{.}},{{end}}{{else}}-{{end}}' $ids | grep -E "^/[^|]*[|]$1-(blue|green)[|]" | sed 's/^/container /'`,
  'echo "--- caddyfile"; cat "$2" 2>/dev/null',
  'echo "--- manifest"; cat "$3" 2>/dev/null',
  'echo "--- file"; [ -z "$4" ] || cat "$4" 2>/dev/null || echo "(none)"',
  'true',
].join('\n');

/** `alsoRead`: one more file printed in the same command (the deploy's upload base), so reading it costs nothing. */
export const observeApp = (app: string, alsoRead = ''): Argv => [
  'sh',
  '-c',
  SCRIPT,
  'sh',
  app,
  LAYOUT.caddyfile,
  LAYOUT.manifest,
  alsoRead,
  RETIRING_DIR,
];

export interface ObservedContainer {
  name: string;
  project: string;
  service: string;
  running: boolean;
  /** Its aliases on `edge`; undefined when it is not on `edge` at all. */
  edgeAliases?: string[];
}

export interface ObservedApp {
  containers: ObservedContainer[];
  caddyfile: string;
  manifest: string;
  /** The `alsoRead` file; null when it does not exist or none was asked for. */
  file: string | null;
}

export function parseObservedApp(stdout: string): ObservedApp {
  const caddyAt = stdout.indexOf('--- caddyfile\n');
  const manifestAt = stdout.indexOf('--- manifest\n');
  const fileAt = stdout.indexOf('--- file\n', manifestAt);
  if (caddyAt < 0 || manifestAt < caddyAt || fileAt < manifestAt)
    throw RemoteError(`unexpected output while reading the app's containers: ${stdout.slice(0, 200)}`);
  const containers = stdout
    .slice(0, caddyAt)
    .split('\n')
    .filter((l) => l.startsWith('container '))
    .map((line) => {
      const [name = '', project = '', service = '', running = '', aliases = '-'] = line.slice('container '.length).split('|');
      return {
        name: name.replace(/^\//, ''),
        project,
        service,
        running: running === 'true',
        ...(aliases === '-' ? {} : { edgeAliases: aliases.split(',').filter(Boolean) }),
      };
    });
  const fileText = stdout.slice(fileAt + '--- file\n'.length);
  return {
    containers,
    caddyfile: stdout.slice(caddyAt + '--- caddyfile\n'.length, manifestAt),
    manifest: stdout.slice(manifestAt + '--- manifest\n'.length, fileAt),
    file: fileText === '' || fileText === '(none)\n' ? null : fileText,
  };
}

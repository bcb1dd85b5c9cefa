/**
 * What a node actually runs of one app, read in ONE remote command before a deploy or rollback acts (so a
 * run killed half-way is seen and repaired): every container of the app's two colour projects (running or
 * not, on `edge` or not, its aliases there), then the Caddyfile and the manifest as they are on disk. A retire
 * still going on after the last swap (retire-commands.ts) is waited for first, so what is read has settled.
 */
import { RemoteError } from '../errors.js';
import type { Argv } from '../remote/quote.js';
import { DOCKER_READ } from './docker-commands.js';
import { EDGE_NETWORK, LAYOUT, RETIRING_DIR } from './layout.js';
import { WAIT_RETIRED } from './retire-commands.js';

export const COLOURS = ['blue', 'green'] as const;

const SCRIPT = [
  WAIT_RETIRED,
  'wait_retired "$5/$1-blue" "$5/$1-green"',
  // The containers named after the app, each one's inspect on a line of its own (kept by project label when parsed),
  // all read by one curl; one gone since the listing prints nothing.
  DOCKER_READ,
  `paths=; for id in $(docker_get /containers/json --data-urlencode all=1 --data-urlencode 'filters={"name":["^'"$1"'-"]}' | container_ids); do paths="$paths /containers/$id/json"; done`,
  `[ -z "$paths" ] || docker_each $paths | sed -n 's/^./container &/p'`,
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

/** The fields of the Engine API's inspect that say what a container is to the app (docker-commands.ts reads it). */
interface Inspect {
  Name?: string;
  Config?: { Labels?: Record<string, string> | null };
  State?: { Running?: boolean };
  NetworkSettings?: { Networks?: Record<string, { Aliases?: string[] | null }> | null };
}

function observedContainer(json: string): ObservedContainer {
  let inspect: Inspect;
  try {
    inspect = JSON.parse(json) as Inspect;
  } catch (error) {
    throw RemoteError(`unexpected output while reading the app's containers: ${json.slice(0, 200)}`, undefined, error);
  }
  const labels = inspect.Config?.Labels ?? {};
  const edge = inspect.NetworkSettings?.Networks?.[EDGE_NETWORK];
  return {
    name: (inspect.Name ?? '').replace(/^\//, ''),
    project: labels['com.docker.compose.project'] ?? '',
    service: labels['com.docker.compose.service'] ?? '',
    running: inspect.State?.Running === true,
    ...(edge ? { edgeAliases: edge.Aliases ?? [] } : {}),
  };
}

export function parseObservedApp(app: string, stdout: string): ObservedApp {
  const caddyAt = stdout.indexOf('--- caddyfile\n');
  const manifestAt = stdout.indexOf('--- manifest\n');
  const fileAt = stdout.indexOf('--- file\n', manifestAt);
  if (caddyAt < 0 || manifestAt < caddyAt || fileAt < manifestAt)
    throw RemoteError(`unexpected output while reading the app's containers: ${stdout.slice(0, 200)}`);
  const projects = new Set(COLOURS.map((c) => `${app}-${c}`));
  const containers = stdout
    .slice(0, caddyAt)
    .split('\n')
    .filter((l) => l.startsWith('container '))
    .map((line) => observedContainer(line.slice('container '.length)))
    .filter((c) => projects.has(c.project));
  const fileText = stdout.slice(fileAt + '--- file\n'.length);
  return {
    containers,
    caddyfile: stdout.slice(caddyAt + '--- caddyfile\n'.length, manifestAt),
    manifest: stdout.slice(manifestAt + '--- manifest\n'.length, fileAt),
    file: fileText === '' || fileText === '(none)\n' ? null : fileText,
  };
}

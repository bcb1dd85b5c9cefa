/**
 * Getting an app directory onto a node in one remote command: the changed files travel as a tar on stdin; the
 * node copies the running version's tree, applies them, and swaps the result into the new project's directory.
 * The same command creates the app's networks, refreshes the data project's copy and seeds writable data
 * directories that do not exist yet (never overwriting one that does).
 */
import { pack } from 'tar-stream';
import type { AppFile } from '../compose/app-files.js';
import { InputError } from '../errors.js';
import { shellQuote, type Argv } from '../remote/quote.js';
import { DOCKER_READ } from './docker-commands.js';

/** What the node holds after a sync (`files.json`): the base the next deploy's upload is computed from. */
export interface UploadedTree {
  hash: string;
  files: Array<Pick<AppFile, 'path' | 'hash' | 'mode' | 'size'>>;
}

export interface TreeDiff {
  send: AppFile[];
  deleted: string[];
}

/** Files new or changed since `base` (content or mode), and files gone. */
export function diffTree(files: readonly AppFile[], base: UploadedTree | null): TreeDiff {
  const before = new Map((base?.files ?? []).map((f) => [f.path, f]));
  const now = new Set(files.map((f) => f.path));
  return {
    send: files.filter((f) => before.get(f.path)?.hash !== f.hash || before.get(f.path)?.mode !== f.mode),
    deleted: [...before.keys()].filter((path) => !now.has(path)).sort(),
  };
}

export function parseUploadedTree(text: string | null): UploadedTree | null {
  if (text === null) return null;
  try {
    const data = JSON.parse(text) as UploadedTree;
    return Array.isArray(data.files) && typeof data.hash === 'string' ? data : null;
  } catch {
    return null; // unreadable: upload everything
  }
}

export interface TarEntry {
  name: string;
  content: Buffer;
  mode: number;
}

/** A fixed mtime: the same bytes give the same tree (and the same build cache keys) on every deploy. */
const MTIME = new Date('2000-01-01T00:00:00Z');

export async function tarOf(entries: readonly TarEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  for (const entry of entries) {
    if (/[\n\r]/.test(entry.name)) throw InputError(`file name ${JSON.stringify(entry.name)} contains a line break.`, 'Rename the file.');
    archive.entry({ name: entry.name, size: entry.content.length, mode: entry.mode, uid: 0, gid: 0, mtime: MTIME }, entry.content);
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * Exit codes of the sync script when nothing was changed: network `edge` is gone; compose refuses the files; the
 * base's `files.json` is not the one the upload was computed from (a local record another deploy made stale).
 */
export const EDGE_MISSING = 42;
export const CONFIG_REFUSED = 43;
export const BASE_CHANGED = 44;

const SYNC_SCRIPT = [
  'set -euf',
  'new=$1 base=$2 data=$3 datadir=$4 nets=$5 deleted=$6 secrets=$7 datadirs=$8 check=$9 basesum=${10}',
  `if [ -n "$basesum" ]; then s=$(sha256sum <"$base/files.json" 2>/dev/null) || s=; [ "\${s%% *}" = "$basesum" ] || exit ${BASE_CHANGED}; fi`,
  "IFS='\n'",
  'stage=$new.next',
  'rm -rf "$stage"; mkdir -p "$stage"; chmod 700 "$stage"',
  'if [ -n "$base" ] && [ -d "$base/src" ]; then cp -a "$base/src" "$stage/src"; else mkdir "$stage/src"; fi',
  'tar -x -C "$stage" -f -',
  'for f in $deleted; do rm -f "$stage/src/$f"; done',
  'for f in $secrets; do chmod 600 "$stage/src/$f"; done',
  'chmod 600 "$stage/interpolation.env"',
  // compose checks the files where they are staged (every project at once), beside one listing of the node's
  // networks; `edge` gone or a refusal leaves the node as it was.
  DOCKER_READ,
  `docker_get /networks 2>/dev/null | grep -o '"Name":"[^"]*"' | cut -d '"' -f 4 >"$stage.nets" &`,
  // `if`: under `set -e` a failing check would end its background shell before its exit code is written.
  'n=0; for c in $check; do { if sh -c "$c" >/dev/null 2>"$stage.err$n"; then echo 0; else echo $?; fi >"$stage.rc$n"; } & n=$((n + 1)); done; wait',
  'failed=0 i=0; while [ $i -lt $n ]; do [ "$(cat "$stage.rc$i")" = 0 ] || { failed=1; cat "$stage.err$i" >&2; }; rm -f "$stage.rc$i" "$stage.err$i"; i=$((i + 1)); done',
  `grep -qxF edge "$stage.nets" || { rm -rf "$stage" "$stage.nets"; exit ${EDGE_MISSING}; }`,
  `if [ $failed = 1 ]; then rm -rf "$stage" "$stage.nets"; exit ${CONFIG_REFUSED}; fi`,
  'for n in $nets; do grep -qxF "${n% *}" "$stage.nets" || if [ "${n##* }" = internal ]; then docker network create --internal "${n% *}" >/dev/null; else docker network create "${n% *}" >/dev/null; fi; done',
  'rm -f "$stage.nets"',
  'rm -rf "$new"; mv "$stage" "$new"',
  // The data project's copy is updated in place: a running data service's mounts keep pointing at live files.
  'mkdir -p "$data/src"; chmod 700 "$data"',
  'cp -a "$new/src/." "$data/src/"; cp -a "$new/compose.yaml" "$new/interpolation.env" "$data/"; cp -a "$new/data.override.yaml" "$data/dynia.override.yaml"',
  'for d in $datadirs; do if [ ! -e "$datadir/$d" ]; then mkdir -p "$datadir/$d"; if [ -d "$new/src/$d" ]; then cp -a "$new/src/$d/." "$datadir/$d/"; fi; fi; done',
].join('\n');

export interface SyncArgs {
  newDir: string;
  /** The running version's directory, copied as the base (empty for a first deploy). */
  baseDir: string;
  dataProjectDir: string;
  dataDir: string;
  networks: Array<{ name: string; internal: boolean }>;
  deleted: readonly string[];
  secrets: readonly string[];
  dataDirs: readonly string[];
  /** Run on the staged files before anything changes (compose config of every project). */
  check: readonly Argv[];
  /** sha256 of the base's `files.json` the upload was computed from, when it was not read from the node. */
  baseSum?: string;
}

/** The one command that applies an upload (the tar goes to its stdin). */
export const syncCommand = (a: SyncArgs): Argv => [
  'sh',
  '-c',
  SYNC_SCRIPT,
  'sh',
  a.newDir,
  a.baseDir,
  a.dataProjectDir,
  a.dataDir,
  a.networks.map((n) => `${n.name} ${n.internal ? 'internal' : 'bridge'}`).join('\n'),
  a.deleted.join('\n'),
  a.secrets.join('\n'),
  a.dataDirs.join('\n'),
  a.check.map(shellQuote).join('\n'),
  a.baseSum ?? '',
];

/** Where the sync stages a project's files before they replace its directory. */
export const stagedDir = (dir: string): string => `${dir}.next`;

/** Several commands as one remote command, stopping at the first failure. */
export const chain = (...commands: Argv[]): Argv => ['sh', '-c', commands.map(shellQuote).join(' && ')];

/**
 * The classic builder's way: keeps the container of a failed build step (compose asks for no force-rm), exited,
 * with no compose project and made from a bare layer ID; once the command has failed, those that were not there
 * before it are removed, so a failed build leaves nothing on the node.
 */
const CLASSIC_BUILD = [
  'export DOCKER_BUILDKIT=0; before=" $(echo $(docker ps -a -q)) "',
  '"$@" && exit 0; rc=$?',
  `docker ps -a --filter status=exited --format '{{.ID}} {{.Image}} {{.Label "com.docker.compose.project"}}' | while read -r id image project; do`,
  '  h=${image#sha256:}; case $h in "" | *[!0-9a-f]*) continue ;; esac',
  '  case $before in *" $id "*) continue ;; esac; [ -n "$project" ] || docker rm "$id" >/dev/null',
  'done',
  'exit $rc',
].join('\n');

/**
 * Runs a command with the classic builder when the node has no buildx plugin: compose's built-in BuildKit path
 * then cannot use a plain-HTTP registry mirror, and the classic builder builds every Dockerfile compose accepts
 * without BuildKit-only syntax.
 */
export const withBuilder = (command: Argv): Argv => [
  'sh',
  '-c',
  `docker buildx version >/dev/null 2>&1 && exec "$@"\n${CLASSIC_BUILD}`,
  'sh',
  ...command,
];

/**
 * What a compose file asks of its app directory and of the node, read purely from the parsed file: the local
 * files it references (build contexts, bind-mount sources, env files, secret and config files), each service's
 * mounts, and whether the service holds data (then it runs exactly once) or is stateless (then the old and new
 * version run side by side during a swap).
 *
 * The rule for data: a service holds data when it mounts a named or anonymous volume, or a writable bind-mounted
 * directory; the label `dynia.data` ("true"/"false") overrides it. A read-only mount or a mounted file is shipped
 * config: it is uploaded and updates with each deploy.
 */
import { posix } from 'node:path';
import { InputError } from '../errors.js';
import { EDGE_NETWORK } from '../node/layout.js';
import type { ComposeFile, ComposeService } from './parse.js';

export const DATA_LABEL = 'dynia.data';

/** What a local path is (the caller looks; this module stays pure). */
export type PathKind = 'file' | 'dir' | 'missing';

export type MountKind = 'volume' | 'anonymous' | 'config' | 'data-dir' | 'node-path' | 'tmpfs';

export interface Mount {
  kind: MountKind;
  /** Volume name, path relative to the app directory (config, data-dir) or absolute node path. */
  source?: string;
  target: string;
  readOnly: boolean;
  /** The mount in compose's long syntax, as written (short syntax converted). */
  long: Record<string, unknown>;
  where: string;
}

export type RefKind = 'build' | 'mount' | 'env_file' | 'secret' | 'config';

export interface Reference {
  kind: RefKind;
  /** Relative to the app directory, normalized, never leaving it. */
  path: string;
  where: string;
  /** Stored root-only (0600) on the node, hashed without revealing it. */
  secret: boolean;
  /** A missing path is not an error (a mount compose creates, `env_file` with `required: false`). */
  optional: boolean;
  service?: string;
  /** The top-level secret or config it backs. */
  name?: string;
  /** For a build context: its Dockerfile, uploaded even when .dockerignore lists it. */
  dockerfile?: string;
}

export interface ServiceModel {
  name: string;
  data: boolean;
  /** Why it is (or is not) treated as data, for the deploy output. */
  why: string;
  mounts: Mount[];
  /** Build context relative to the app directory; absent for `image:` services and remote contexts. */
  buildContext?: string;
  build: boolean;
  /** `image:` as written, for a service that is not built (named when the node cannot pull it). */
  image?: string;
  /**
   * A job that runs to completion (a migration): another service waits for it with `condition:
   * service_completed_successfully`. It gets no restart policy by default, which would run it again and again.
   */
  job: boolean;
}

export interface AppNetwork {
  key: string;
  internal: boolean;
  driver?: string;
  services: string[];
}

export interface AppModel {
  services: ServiceModel[];
  refs: Reference[];
  /** Top-level volumes Dynia names `<app>_<volume>` (not external, no own `name:`). */
  volumes: string[];
  /** Networks of the app (`default` included when a service uses it), with the services that join each. */
  networks: AppNetwork[];
  warnings: string[];
}

type Raw = Record<string, unknown>;
const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A path as the file writes it, relative to the app directory; refuses anything that would leave it. */
export function appRelative(path: string, where: string, what: string): string {
  if (posix.isAbsolute(path) || path.startsWith('~')) {
    throw InputError(
      `${where}: ${what} ${path} is outside the app directory (an absolute path).`,
      'Use a path relative to the compose file, inside its directory; Dynia uploads only that directory.',
    );
  }
  const normal = posix.normalize(path.replaceAll('\\', '/')).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) {
    throw InputError(
      `${where}: ${what} ${path} leaves the app directory.`,
      'Move what it needs inside the directory of the compose file; Dynia uploads only that directory.',
    );
  }
  return normal === '' ? '.' : normal;
}

const isRemoteContext = (context: string) => /^[a-z]+:\/\//i.test(context) || context.startsWith('git@');

/** `src:dst[:mode]`, `dst`, or the long form; converted to the long form. */
function longMount(entry: unknown): Raw {
  if (isRecord(entry)) return entry;
  const parts = String(entry).split(':');
  if (parts.length === 1) return { type: 'volume', target: parts[0] };
  const [source, target, mode = ''] = parts as [string, string, string?];
  const flags = mode.split(',');
  const bind = /^[./~]/.test(source);
  return {
    type: bind ? 'bind' : 'volume',
    source,
    target,
    ...(flags.includes('ro') ? { read_only: true } : {}),
    ...(bind && flags.some((f) => f === 'z' || f === 'Z') ? { bind: { selinux: flags.find((f) => f === 'z' || f === 'Z') } } : {}),
    ...(!bind && flags.includes('nocopy') ? { volume: { nocopy: true } } : {}),
  };
}

function mountsOf(file: ComposeFile, service: ComposeService, kindOf: (path: string) => PathKind): Mount[] {
  const list = Array.isArray(service.raw.volumes) ? service.raw.volumes : [];
  return list.map((entry, i): Mount => {
    const where = file.where(['services', service.name, 'volumes', i]);
    const long = longMount(entry);
    const target = String(long.target ?? '');
    const readOnly = long.read_only === true;
    const source = long.source === undefined ? undefined : String(long.source);
    if (long.type === 'tmpfs' || long.type === 'npipe') return { kind: 'tmpfs', target, readOnly, long, where };
    if (long.type === 'volume')
      return source ? { kind: 'volume', source, target, readOnly, long, where } : { kind: 'anonymous', target, readOnly, long, where };
    if (source === undefined) throw InputError(`${where}: a bind mount needs a source.`, 'Write ./path:/container/path.');
    if (posix.isAbsolute(source)) return { kind: 'node-path', source, target, readOnly, long, where };
    const rel = appRelative(source, where, 'bind-mount source');
    const kind = kindOf(rel);
    return { kind: kind === 'file' || readOnly ? 'config' : 'data-dir', source: rel, target, readOnly, long, where };
  });
}

function classify(service: ComposeService, mounts: Mount[], where: string): { data: boolean; why: string } {
  const label = service.labels[DATA_LABEL]?.toLowerCase();
  if (label === 'true') return { data: true, why: `label ${DATA_LABEL}=true` };
  if (label === 'false') return { data: false, why: `label ${DATA_LABEL}=false` };
  if (label !== undefined)
    throw InputError(
      `${where}: label ${DATA_LABEL} must be "true" or "false".`,
      `Write ${DATA_LABEL}: "true" (runs once, kept in place) or "false" (runs side by side during a swap).`,
    );
  const holding = mounts.find((m) => m.kind === 'volume' || m.kind === 'anonymous' || m.kind === 'data-dir');
  if (!holding) return { data: false, why: 'no volume or writable directory' };
  const what =
    holding.kind === 'volume'
      ? `volume ${holding.source}`
      : holding.kind === 'anonymous'
        ? `an anonymous volume at ${holding.target}`
        : `the writable directory ./${holding.source}`;
  return { data: true, why: `mounts ${what}` };
}

function stringList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The services some other service waits for with `condition: service_completed_successfully`. */
function awaitedJobs(file: ComposeFile): Set<string> {
  const jobs = new Set<string>();
  for (const service of file.services) {
    const deps = service.raw.depends_on;
    if (!isRecord(deps)) continue; // the list form only waits for a start
    for (const [name, def] of Object.entries(deps)) if (isRecord(def) && def.condition === 'service_completed_successfully') jobs.add(name);
  }
  return jobs;
}

/** Reads the app model; `kindOf` tells whether a path relative to the app directory is a file, a directory or absent. */
export function appModel(file: ComposeFile, kindOf: (path: string) => PathKind): AppModel {
  const refs: Reference[] = [];
  const jobs = awaitedJobs(file);
  const warnings: string[] = [];
  const top = file.raw;
  const section = (key: string): Raw => (isRecord(top[key]) ? (top[key] as Raw) : {});
  const services = file.services.map((service): ServiceModel => {
    const at = (...path: (string | number)[]) => file.where(['services', service.name, ...path]);
    const mounts = mountsOf(file, service, kindOf);
    for (const m of mounts) {
      if (m.kind === 'config' || m.kind === 'data-dir')
        refs.push({ kind: 'mount', path: m.source!, where: m.where, secret: false, optional: true, service: service.name });
      if (m.kind === 'node-path') warnings.push(`${m.where}: ${m.source} is a path on the node, not uploaded`);
    }
    stringList(service.raw.env_file).forEach((entry, i) => {
      const path = isRecord(entry) ? String(entry.path) : String(entry);
      const optional = isRecord(entry) && entry.required === false;
      const where = at('env_file', ...(Array.isArray(service.raw.env_file) ? [i] : []));
      refs.push({ kind: 'env_file', path: appRelative(path, where, 'env_file'), where, secret: true, optional, service: service.name });
    });
    let buildContext: string | undefined;
    const build = service.raw.build;
    if (build !== undefined) {
      const context = isRecord(build) ? String(build.context ?? '.') : String(build);
      const where = at('build', ...(isRecord(build) ? ['context'] : []));
      if (isRemoteContext(context)) warnings.push(`${where}: build context ${context} is fetched by the node, not uploaded`);
      else {
        buildContext = appRelative(context, where, 'build context');
        const dockerfile = isRecord(build) && typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile';
        refs.push({ kind: 'build', path: buildContext, where, secret: false, optional: false, service: service.name, dockerfile });
      }
    }
    const { data, why } = classify(service, mounts, at());
    const image = build === undefined && typeof service.raw.image === 'string' ? service.raw.image : undefined;
    return {
      name: service.name,
      data,
      why,
      mounts,
      build: build !== undefined,
      ...(buildContext !== undefined ? { buildContext } : {}),
      ...(image !== undefined ? { image } : {}),
      job: jobs.has(service.name),
    };
  });

  for (const [key, kind, secret] of [
    ['secrets', 'secret', true],
    ['configs', 'config', false],
  ] as const) {
    for (const [name, def] of Object.entries(section(key))) {
      if (!isRecord(def) || typeof def.file !== 'string') continue;
      const where = file.where([key, name, 'file']);
      refs.push({ kind, path: appRelative(def.file, where, `${kind} file`), where, secret, optional: false, name });
    }
  }

  const volumes = Object.entries(section('volumes'))
    .filter(([, def]) => !(isRecord(def) && (def.external === true || typeof def.name === 'string')))
    .map(([name]) => name);

  const declared = section('networks');
  const used = new Map<string, string[]>();
  for (const service of file.services)
    if (service.networkMode === undefined)
      for (const n of service.networks ?? ['default']) used.set(n, [...(used.get(n) ?? []), service.name]);
  const networks: AppNetwork[] = [];
  for (const [key, members] of [...used].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (key === EDGE_NETWORK) continue; // Caddy's network, declared by the override
    const def = declared[key];
    if (isRecord(def) && (def.external === true || typeof def.name === 'string')) continue;
    if (isRecord(def) && def.ipam !== undefined) {
      throw InputError(
        `${file.where(['networks', key, 'ipam'])}: network ${key} sets ipam (a fixed subnet); Dynia creates each app's networks itself and fixed subnets collide between apps.`,
        `Remove ipam from network ${key}.`,
      );
    }
    networks.push({
      key,
      internal: isRecord(def) && def.internal === true,
      ...(isRecord(def) && typeof def.driver === 'string' ? { driver: def.driver } : {}),
      services: members,
    });
  }
  return { services, refs, volumes, networks, warnings };
}

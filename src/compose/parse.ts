import { isMap, isNode, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { InputError, reasonOf } from '../errors.js';
import { interpolate, type Env } from './interpolate.js';

/** The parts of a compose service Dynia reads or rewrites (values as in the file, merge keys resolved). */
export interface ComposeService {
  name: string;
  /** From the map form or the `KEY=VALUE` list form; scalar values as strings. */
  labels: Record<string, string>;
  expose: readonly unknown[];
  ports: readonly unknown[];
  /** Networks the service names, or null when it names none (then compose puts it on `default`). */
  networks: readonly string[] | null;
  networkMode?: string;
  containerName?: string;
  restart?: string;
  profiles: readonly string[];
  /** The service as written, after interpolation. */
  raw: Record<string, unknown>;
}

export interface ComposeFile {
  fileName: string;
  /** In file order. */
  services: readonly ComposeService[];
  /** Top-level `name:`, when set. */
  name?: string;
  /** The whole file after interpolation (top-level volumes, networks, secrets, configs). */
  raw: Record<string, unknown>;
  /** `file:line:col` of the deepest existing node on `path`, for messages. */
  where(path: readonly (string | number)[]): string;
}

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

function labelsOf(raw: unknown): Record<string, string> {
  if (Array.isArray(raw)) {
    return Object.fromEntries(
      raw.map((item) => {
        const text = String(item);
        const eq = text.indexOf('=');
        return eq === -1 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
      }),
    );
  }
  if (isRecord(raw)) return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, value == null ? '' : String(value)]));
  return {};
}

function networksOf(raw: unknown): string[] | null {
  if (Array.isArray(raw)) return raw.map(String);
  if (isRecord(raw)) return Object.keys(raw);
  return null;
}

function locator(doc: Document, lines: LineCounter, fileName: string) {
  return (path: readonly (string | number)[]): string => {
    let offset = 0;
    for (let depth = 0; depth <= path.length; depth++) {
      const node = doc.getIn(path.slice(0, depth), true);
      if (!isNode(node) || !node.range) break;
      offset = node.range[0];
    }
    const { line, col } = lines.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };
}

/**
 * Parses a compose file, interpolates its values with `env` as compose does, and checks the structure Dynia relies
 * on; errors read `app.yml:12:3: message`.
 */
export function parseCompose(text: string, fileName: string, env: Env = new Map()): ComposeFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    throw InputError(`${fileName}:${line}:${col}: ${reasonOf(syntax)}`, 'Fix the YAML syntax of your compose file.');
  }
  const where = locator(doc, lines, fileName);
  const fail = (path: (string | number)[], message: string, hint: string): never => {
    throw InputError(`${where(path)}: ${message}`, hint);
  };

  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const { line, col } = lines.linePos(node.range?.[0] ?? 0);
      node.value = interpolate(node.value, env, `${fileName}:${line}:${col}`);
    },
  });
  const root: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (!isRecord(root)) fail([], 'a compose file must be a mapping with a `services` key', 'Start the file with `services:`.');
  const services = (root as Raw).services;
  if (!isRecord(services) || Object.keys(services).length === 0 || !isMap(doc.get('services', true))) {
    fail(
      ['services'],
      '`services` must be a non-empty mapping of service names',
      'Declare at least one service, e.g. `services:\\n  web:\\n    image: nginx`.',
    );
  }
  const parsed = Object.entries(services as Raw).map(([name, raw]): ComposeService => {
    if (!isRecord(raw)) return fail(['services', name], `service ${name} must be a mapping`, 'Give the service at least an `image:`.');
    if (raw.image === undefined && raw.build === undefined) {
      fail(['services', name], `service ${name} has neither \`image\` nor \`build\``, 'Add `image: <name:tag>` or a `build:` section.');
    }
    return {
      name,
      labels: labelsOf(raw.labels),
      expose: Array.isArray(raw.expose) ? raw.expose : [],
      ports: Array.isArray(raw.ports) ? raw.ports : [],
      networks: networksOf(raw.networks),
      ...(typeof raw.network_mode === 'string' ? { networkMode: raw.network_mode } : {}),
      ...(typeof raw.container_name === 'string' ? { containerName: raw.container_name } : {}),
      ...(typeof raw.restart === 'string' ? { restart: raw.restart } : {}),
      profiles: Array.isArray(raw.profiles) ? raw.profiles.map(String) : [],
      raw,
    };
  });
  const name = (root as Raw).name;
  return { fileName, services: parsed, where, raw: root as Raw, ...(typeof name === 'string' ? { name } : {}) };
}

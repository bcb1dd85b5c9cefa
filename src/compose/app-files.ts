/**
 * The app directory as Dynia uploads it: every file the compose file references (whole directories for build
 * contexts and directory mounts), minus what `.dyniaignore` (app directory) and `.dockerignore` (build context)
 * exclude. Nothing outside the directory is ever read: references are checked before, and a symlink that
 * resolves outside is refused.
 */
import { createHash, scryptSync } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { InputError } from '../errors.js';
import type { PathKind, Reference } from './app-model.js';

export interface AppFile {
  /** Relative to the app directory, posix separators. */
  path: string;
  size: number;
  mode: number;
  /** sha256 of the content; for secret files a salted scrypt digest that does not reveal a guessable value. */
  hash: string;
  secret: boolean;
}

const IGNORE_FILE = '.dyniaignore';

/** A secret's fingerprint: changes with the content, costly to brute-force, meaningless without it. */
const secretHash = (content: Buffer, path: string): string =>
  scryptSync(content, `dynia-secret:${path}`, 32, { N: 1 << 14, r: 8, p: 1 }).toString('hex');

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
};

export class AppDir {
  private readonly real: string;

  constructor(readonly root: string) {
    this.real = realpathSync(root);
  }

  /** File, directory or absent, following symlinks only inside the directory. */
  kindOf = (path: string): PathKind => {
    const abs = this.resolveInside(path, `./${path}`);
    if (abs === undefined) return 'missing';
    return statSync(abs).isDirectory() ? 'dir' : 'file';
  };

  /** The real path of `path`, or undefined when absent; refuses a path whose real location is outside. */
  private resolveInside(path: string, where: string): string | undefined {
    let real: string;
    try {
      real = realpathSync(join(this.root, path));
    } catch {
      return undefined;
    }
    if (!inside(this.real, real)) {
      throw InputError(
        `${where}: ${path} is a symlink that points outside the app directory (to ${real}).`,
        'Copy what it points to into the app directory; Dynia uploads only that directory.',
      );
    }
    return real;
  }

  /** Every file to upload for these references, sorted by path; refuses missing required files. */
  collect(refs: readonly Reference[]): AppFile[] {
    const dyniaIgnore = this.ignoreFile(IGNORE_FILE);
    const files = new Map<string, AppFile>();
    const add = (path: string, secret: boolean, where: string) => {
      const known = files.get(path);
      if (known) {
        known.secret ||= secret;
        if (secret) known.mode = 0o600;
        return;
      }
      const abs = this.resolveInside(path, where)!;
      const content = readFileSync(abs);
      const executable = (statSync(abs).mode & 0o111) !== 0;
      files.set(path, {
        path,
        size: content.length,
        mode: secret ? 0o600 : executable ? 0o755 : 0o644,
        hash: secret ? secretHash(content, path) : createHash('sha256').update(content).digest('hex'),
        secret,
      });
    };
    const walk = (dir: string, where: string, keep: (path: string) => boolean, seen: Set<string>) => {
      const real = this.resolveInside(dir, where)!;
      if (seen.has(real)) return;
      seen.add(real);
      for (const name of readdirSync(real).sort()) {
        const path = dir === '.' ? name : `${dir}/${name}`;
        if (!keep(path)) continue;
        const abs = this.resolveInside(path, where);
        if (abs === undefined) continue; // a dangling symlink
        const stat = lstatSync(abs);
        if (stat.isDirectory()) walk(path, where, keep, seen);
        else if (stat.isFile()) add(path, false, where);
      }
    };
    for (const ref of refs) {
      const kind = this.kindOf(ref.path);
      if (kind === 'missing') {
        if (ref.optional) continue;
        throw InputError(
          `${ref.where}: ${describe(ref)} ./${ref.path} does not exist.`,
          `Create ./${ref.path} in the app directory, or fix the path.`,
        );
      }
      if (kind === 'file') {
        if (!dyniaIgnore.ignores(ref.path)) add(ref.path, ref.secret, ref.where);
        continue;
      }
      const context = ref.kind === 'build' ? this.ignoreFile(ref.path === '.' ? '.dockerignore' : `${ref.path}/.dockerignore`) : undefined;
      const fromContext = (path: string) => (ref.path === '.' ? path : posix.relative(ref.path, path));
      walk(ref.path, ref.where, (path) => !dyniaIgnore.ignores(path) && !(context?.ignores(fromContext(path)) ?? false), new Set());
      const dockerfile =
        ref.dockerfile === undefined ? undefined : posix.normalize(ref.path === '.' ? ref.dockerfile : `${ref.path}/${ref.dockerfile}`);
      if (dockerfile !== undefined && !dockerfile.startsWith('..') && this.kindOf(dockerfile) === 'file') add(dockerfile, false, ref.where);
    }
    return [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  private ignoreFile(path: string) {
    const rules = dockerignore.default();
    const abs = this.resolveInside(path, `./${path}`);
    if (abs !== undefined && statSync(abs).isFile()) rules.add(readFileSync(abs, 'utf8'));
    return rules;
  }

  /** Content of a file inside the directory (to upload it). */
  read(path: string): Buffer {
    return readFileSync(this.resolveInside(path, `./${path}`)!);
  }
}

const describe = (ref: Reference): string =>
  ({ build: 'build context', mount: 'bind-mount source', env_file: 'env_file', secret: 'secret file', config: 'config file' })[ref.kind];

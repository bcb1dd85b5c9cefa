/**
 * Everything app:deploy reads locally, before any lock or connection: the compose file, the variables it is
 * interpolated with, the app model and the files to upload, and the deploy hash. Bad input fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { AppDir, type AppFile } from './app-files.js';
import { deployHash } from './app-hashes.js';
import { appModel, appRelative, type AppModel } from './app-model.js';
import { parseDotenv } from './interpolate.js';
import { parseCompose, type ComposeFile } from './parse.js';

export interface AppSource {
  composePath: string;
  dir: AppDir;
  text: string;
  file: ComposeFile;
  model: AppModel;
  files: AppFile[];
  /** The env files' bytes, in order (compose on the node reads the same). */
  interpolationEnv: string;
  envFiles: string[];
  hash: string;
}

function readText(path: string, what: string, hint: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw InputError(`${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}.`, hint);
  }
}

/** `envFiles` (from `--env-file`, relative to the current directory) replace the default `.env` next to the file. */
export function loadApp(composePath: string, envFiles: readonly string[] = []): AppSource {
  const text = readText(composePath, '--compose', 'Pass the path of your compose file, e.g. --compose ./compose.yaml');
  const root = dirname(resolve(composePath));
  const dir = new AppDir(root);
  const chosen =
    envFiles.length > 0
      ? envFiles.map((f) => appRelative(relative(root, resolve(f)), `--env-file ${f}`, 'env file'))
      : existsSync(resolve(root, '.env'))
        ? ['.env']
        : [];
  let env = new Map<string, string>();
  const texts: string[] = [];
  for (const rel of chosen) {
    if (dir.kindOf(rel) !== 'file')
      throw InputError(
        `--env-file ${rel}: no such file in the app directory.`,
        'Pass an env file inside the directory of the compose file.',
      );
    const content = dir.read(rel).toString('utf8');
    env = parseDotenv(content, rel, env);
    texts.push(content);
  }
  const file = parseCompose(text, composePath, env);
  const model = appModel(file, dir.kindOf);
  const files = dir.collect(model.refs);
  const interpolationEnv = texts.join('\n');
  return {
    composePath,
    dir,
    text,
    file,
    model,
    files,
    interpolationEnv,
    envFiles: chosen,
    hash: deployHash({ composeText: text, interpolationEnv, files }),
  };
}

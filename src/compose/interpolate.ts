/**
 * Compose's variable interpolation and `.env` syntax, locally: the node's compose interpolates the same files the
 * same way, so a required variable that is missing is refused here, before anything is uploaded or started.
 * Only the env files are used (the `.env` next to the compose file, or every `--env-file`), never this shell's
 * environment: a deploy depends on the app directory alone, and nothing from the local environment leaks.
 */
import { InputError } from '../errors.js';

export type Env = ReadonlyMap<string, string>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `KEY=VALUE` lines as compose reads them: `export`, comments, single quotes (literal), double quotes (escapes). */
export function parseDotenv(text: string, fileName: string, base: Env = new Map()): Map<string, string> {
  const env = new Map(base);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const body = line.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    const key = (eq === -1 ? body : body.slice(0, eq)).trim();
    if (!NAME.test(key))
      throw InputError(
        `${fileName}:${i + 1}: ${JSON.stringify(key.slice(0, 40))} is not a variable name.`,
        'Write KEY=VALUE lines (KEY: letters, digits, _).',
      );
    if (eq === -1) continue; // a bare name takes its value from the shell, which Dynia does not read
    const raw = body.slice(eq + 1).trim();
    let value: string;
    if (raw.startsWith("'")) {
      const end = raw.indexOf("'", 1);
      value = end === -1 ? raw.slice(1) : raw.slice(1, end);
    } else if (raw.startsWith('"')) {
      const end = raw.lastIndexOf('"');
      const inner = end > 0 ? raw.slice(1, end) : raw.slice(1);
      value = interpolate(
        inner.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c),
        env,
        `${fileName}:${i + 1}`,
      );
    } else {
      value = interpolate(raw.replace(/\s+#.*$/, ''), env, `${fileName}:${i + 1}`);
    }
    env.set(key, value);
  }
  return env;
}

/**
 * `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}`,
 * `${VAR+alt}`, `$$` (a literal `$`); defaults may hold further variables. `where` names the place in errors.
 */
export function interpolate(text: string, env: Env, where: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end === -1)
        throw InputError(
          `${where}: unterminated \${ in ${JSON.stringify(text.slice(i, i + 40))}.`,
          'Close it with }, or write $$ for a literal $.',
        );
      out += substitute(text.slice(i + 2, end), env, where);
      i = end + 1;
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
      if (name === undefined) {
        out += '$';
        i++;
      } else {
        out += env.get(name) ?? '';
        i += 1 + name.length;
      }
    }
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function substitute(expr: string, env: Env, where: string): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(expr);
  if (!match)
    throw InputError(`${where}: \${${expr}} is not a valid variable reference.`, 'Write ${NAME}, ${NAME:-default} or ${NAME:?message}.');
  const [, name, op, arg = ''] = match as unknown as [string, string, string | undefined, string | undefined];
  const value = env.get(name);
  const unset = value === undefined;
  const empty = unset || value === '';
  switch (op) {
    case undefined:
      return value ?? '';
    case ':-':
      return empty ? interpolate(arg, env, where) : value!;
    case '-':
      return unset ? interpolate(arg, env, where) : value!;
    case ':+':
      return empty ? '' : interpolate(arg, env, where);
    case '+':
      return unset ? '' : interpolate(arg, env, where);
    default: {
      if (op === ':?' ? !empty : !unset) return value!;
      const message = arg ? `: ${interpolate(arg, env, where)}` : '';
      throw InputError(
        `${where}: required variable ${name} is ${unset ? 'not set' : 'empty'}${message}.`,
        `Set ${name}=<value> in the .env next to the compose file (or the file given with --env-file).`,
      );
    }
  }
}

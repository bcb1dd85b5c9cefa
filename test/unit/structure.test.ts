/**
 * The house rules a newcomer relies on, checked so they stay true: small folders, small files, no import
 * cycles, the sandbox reached from the CLI through one door, fakes without casts, and a README layout that
 * names exactly the folders there are.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_FILES_PER_FOLDER = 15;
const MAX_LINES_PER_FILE = 300;

function walk(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? [path, ...walk(path)] : [path];
  });
}

const isSource = (path: string) => path.endsWith('.ts');
const srcPaths = walk('src');
const srcFolders = ['src', ...srcPaths.filter((p) => statSync(join(root, p)).isDirectory())];
const srcFiles = srcPaths.filter(isSource);

/** Relative imports of a file (static, dynamic and re-exports), resolved to repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((spec) => normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'));
}

describe('the source tree', () => {
  test(`no folder under src/ holds more than ${MAX_FILES_PER_FOLDER} source files directly`, () => {
    const crowded = srcFolders
      .map((folder) => ({ folder, files: srcFiles.filter((f) => dirname(f) === folder).length }))
      .filter(({ files }) => files > MAX_FILES_PER_FOLDER);
    assert.deepEqual(crowded, []);
  });

  test(`no source file under src/ or worker/ is over ${MAX_LINES_PER_FILE} lines`, () => {
    const long = [...srcFiles, ...walk('worker/src').filter(isSource)]
      .map((file) => ({ file, lines: readFileSync(join(root, file), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES_PER_FILE);
    assert.deepEqual(long, []);
  });

  test('src/ has no import cycle', () => {
    const graph = new Map(srcFiles.map((f) => [f, importsOf(f).filter((i) => i.startsWith('src/'))]));
    const done = new Set<string>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (path.includes(file)) return void cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
      if (done.has(file)) return;
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      done.add(file);
    };
    for (const file of srcFiles) visit(file, []);
    assert.deepEqual(cycles, []);
  });

  test('the CLI reaches the sandbox only through src/cli/sandbox-entry.ts (sandbox-cli.ts is its bundle root)', () => {
    const doors = ['src/cli/sandbox-entry.ts', 'src/cli/sandbox-cli.ts'];
    const reaching = srcFiles.filter((f) => !doors.includes(f) && importsOf(f).some((i) => i.startsWith('sandbox/')));
    assert.deepEqual(reaching, []);
  });

  test('unit tests build their fakes without `as never`', () => {
    const self = 'test/unit/structure.test.ts';
    const casting = walk('test/unit').filter((f) => isSource(f) && f !== self && readFileSync(join(root, f), 'utf8').includes('as never'));
    assert.deepEqual(casting, []);
  });

  test('each command has one folder, src/commands/<command>/, whose command.ts the command table lists', () => {
    const table = readFileSync(join(root, 'src/cli/command-table.ts'), 'utf8');
    const listed = [...table.matchAll(/from '\.\.\/commands\/([\w-]+)\/command\.js'/g)].map((m) => m[1]!);
    const folders = readdirSync(join(root, 'src/commands')).filter((name) => statSync(join(root, 'src/commands', name)).isDirectory());
    assert.deepEqual([...listed].sort(), [...folders].sort());
    for (const folder of folders) assert.ok(srcFiles.includes(join('src/commands', folder, 'command.ts')), `${folder}/command.ts`);
  });

  test("the README's layout section names exactly the folders under src/ (the command folders as src/commands/<command>)", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('\nLayout');
    const section = readme.slice(start, readme.indexOf('\n## ', start));
    const named = new Set([...section.matchAll(/`(src(?:\/[\w-]+)*)\/?`/g)].map((m) => m[1]!));
    const folders = srcFolders.filter((f) => !/^src\/commands\/./.test(f));
    assert.deepEqual([...named].sort(), [...folders].sort());
  });
});

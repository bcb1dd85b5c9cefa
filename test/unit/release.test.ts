import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCompose } from '../../src/compose/parse.js';
import { releaseCommand, splitWords } from '../../src/compose/release.js';
import { DyniaError } from '../../src/errors.js';
import { runOneOff } from '../../src/node/app-ops-commands.js';
import { plainCompose } from './workflow-fakes.js';

test('the release label is split like a compose string command', () => {
  assert.deepEqual(splitWords('bin/migrate --yes'), ['bin/migrate', '--yes']);
  assert.deepEqual(splitWords(` sh -c 'echo "a b" >> /data/m'  `), ['sh', '-c', 'echo "a b" >> /data/m']);
  assert.deepEqual(splitWords('say "it\\"s" x\\ y ""'), ['say', 'it"s', 'x y', '']);
  assert.equal(splitWords("echo 'open"), undefined);
});

test('releaseCommand: from the entry service; bad labels refused with the file position', () => {
  const file = (label: string) =>
    parseCompose(
      `services:\n  web:\n    image: x\n    labels:\n      dynia.release: ${JSON.stringify(label)}\n  db:\n    image: y\n`,
      'app.yaml',
    );
  assert.deepEqual(releaseCommand(file('bin/migrate up'), 'web'), ['bin/migrate', 'up']);
  assert.equal(releaseCommand(file('bin/migrate up'), 'db'), undefined);
  assert.throws(
    () => releaseCommand(file('  '), 'web'),
    (e: unknown) => e instanceof DyniaError && e.kind === 'input' && /^app\.yaml:\d+:\d+: label dynia\.release/.test(e.message),
  );
  assert.throws(() => releaseCommand(file("echo 'x"), 'web'), /unclosed quote/);
});

test('the release runs in a one-off container that starts no dependency and is removed', () => {
  assert.deepEqual(plainCompose(runOneOff({ project: 'shop-green', files: ['/a/compose.yaml'] }, 'web', ['bin/migrate', 'up'], false)), [
    'docker',
    'compose',
    '-p',
    'shop-green',
    '-f',
    '/a/compose.yaml',
    'run',
    '--rm',
    '--no-deps',
    '-T',
    'web',
    'bin/migrate',
    'up',
  ]);
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { quoteWord, shellQuote } from '../../src/remote/quote.js';

test('safe words stay bare, others are single-quoted', () => {
  assert.equal(
    shellQuote(['docker', 'network', 'connect', '--alias', 'dynia-upstream-a-b', 'edge', 'c-1']),
    'docker network connect --alias dynia-upstream-a-b edge c-1',
  );
  assert.equal(quoteWord(''), "''");
  assert.equal(quoteWord('{{.ServerVersion}}'), "'{{.ServerVersion}}'");
  assert.equal(quoteWord("it's"), `'it'\\''s'`);
  assert.equal(quoteWord('a b'), "'a b'");
});

test('an empty argv is a bug', () => {
  assert.throws(() => shellQuote([]), /empty argv/);
});

test('a real shell gets every word back verbatim', () => {
  const words = ['plain', '', ' spaced ', "it's", '"double"', '$HOME', '`id`', '; rm -rf /', 'new\nline', '\\', '*', '!x', '{a,b}', '~'];
  const script = `printf '%s\\0' ${shellQuote(words)}`;
  const out = execFileSync('sh', ['-c', script], { encoding: 'utf8' });
  assert.deepEqual(out.split('\0').slice(0, -1), words);
});

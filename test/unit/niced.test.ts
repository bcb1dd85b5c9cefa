import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { niced, reniceSelf } from '../../src/node/niced.js';

describe('niced', () => {
  test('a constant wrapper; the command stays arguments', () => {
    assert.deepEqual(niced(['docker', 'compose', '-p', 'shop-green', 'up', '-d']), [
      'sh',
      '-c',
      'renice -n 10 -p $$ >/dev/null 2>&1; exec "$@"',
      'sh',
      'docker',
      'compose',
      '-p',
      'shop-green',
      'up',
      '-d',
    ]);
    assert.equal(reniceSelf(19), 'renice -n 19 -p $$ >/dev/null 2>&1');
  });

  test('under sh: the command runs at the lower priority, with its arguments intact', () => {
    const argv = niced(['sh', '-c', 'echo "$(cut -d" " -f19 /proc/$$/stat) $1"', 'sh', 'a b;$(x)']);
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    assert.equal(r.stdout, '10 a b;$(x)\n');
  });
});

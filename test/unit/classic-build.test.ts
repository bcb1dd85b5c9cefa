/** withBuilder (app-sync.ts) under sh, against a stand-in `docker` that answers as a node without buildx would. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { withBuilder } from '../../src/node/app-sync.js';

// What `docker ps` lists as exited after the build: two step containers the classic builder left (short and long
// layer IDs), one from a layer ID that was there before the build, a user's from a named image, one of a project.
const EXITED = 's1 ae55b3f9ce83 \ns2 sha256:0123456789abcdef \no1 ae55b3f9ce83 \nu1 busybox:1.36 \np1 0123456789ab shop-blue\n';

function run(command: string, buildx: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'dynia-build-'));
  writeFileSync(join(dir, 'exited'), EXITED);
  writeFileSync(
    join(dir, 'docker'),
    [
      '#!/bin/sh',
      `printf '%s\\n' "$*" >> ${dir}/calls`,
      'case "$1 $2" in',
      `  "buildx version") exit ${buildx ? 0 : 1} ;;`,
      `  "ps -a") [ "$3" = -q ] && printf "o1\\nc0\\n" || cat ${join(dir, 'exited')} ;;`,
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(join(dir, 'docker'), 0o755);
  const [, , script, ...args] = withBuilder(['sh', '-c', command]);
  const r = spawnSync('sh', ['-c', script!, ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
  return { code: r.status, stdout: r.stdout, calls: readFileSync(join(dir, 'calls'), 'utf8').trimEnd().split('\n') };
}

describe('withBuilder', () => {
  test("a failed classic build: its exit code, and only the builder's step containers that were not there before are removed", () => {
    const r = run('echo "builder=$DOCKER_BUILDKIT"; exit 3', false);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'builder=0\n');
    assert.deepEqual(r.calls, [
      'buildx version',
      'ps -a -q',
      'ps -a --filter status=exited --format {{.ID}} {{.Image}} {{.Label "com.docker.compose.project"}}',
      'rm s1',
      'rm s2',
    ]);
  });

  test('a classic build that succeeds looks for nothing afterwards', () => {
    const r = run('true', false);
    assert.equal(r.code, 0);
    assert.deepEqual(r.calls, ['buildx version', 'ps -a -q']);
  });

  test('with buildx the command runs as it is (BuildKit leaves no step containers)', () => {
    const r = run('echo "builder=${DOCKER_BUILDKIT:-default}"; exit 3', true);
    assert.deepEqual(r, { code: 3, stdout: 'builder=default\n', calls: ['buildx version'] });
  });
});

/** `wait_retired` under `sh`: a retire's mark holds while its process lives, and never for ever. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { WAIT_RETIRED } from '../../src/node/retire-commands.js';

function waitFor(marks: string[], path = process.env.PATH) {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', `${WAIT_RETIRED}\nwait_retired "$@"`, 'sh', ...marks], {
    encoding: 'utf8',
    env: { ...process.env, PATH: path },
    timeout: 10_000,
  });
  return { code: r.status, ms: performance.now() - t0 };
}

describe('wait_retired under sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dynia-marks-'));
  /** A process of `seconds` under a shell that reaps it when it ends (as containerd's shim does); its pid. */
  const background = (name: string, seconds: number) => {
    const parent = spawn('sh', ['-c', `sleep ${seconds} & echo $! > ${dir}/${name}.pid; wait`], { stdio: 'ignore' });
    const file = join(dir, `${name}.pid`);
    while (!existsSync(file) || !readFileSync(file, 'utf8').endsWith('\n')) spawnSync('/bin/sleep', ['0.01']);
    return { pid: Number(readFileSync(file, 'utf8')), parent };
  };
  const mark = (name: string, pid: number) => {
    writeFileSync(join(dir, name), `${pid}\n`);
    return join(dir, name);
  };

  test('no mark, or one whose process has ended: no wait', () => {
    const ended = spawnSync('true').pid;
    const r = waitFor([join(dir, 'none'), mark('ended', ended)]);
    assert.equal(r.code, 0);
    assert.ok(r.ms < 1000, `${r.ms} ms`);
  });

  test('a live retire is waited for until its process ends', () => {
    const retire = background('live', 0.4);
    const r = waitFor([mark('live', retire.pid)]);
    assert.equal(r.code, 0);
    assert.ok(r.ms >= 300, `${r.ms} ms`);
  });

  test('a pid that never ends (reused after a lost retire): the wait gives up after its bound', () => {
    const forever = background('forever', 60);
    // Every `date` ten seconds after the one before.
    writeFileSync(
      join(dir, 'date'),
      `#!/bin/sh\nn=$(cat ${dir}/clock 2>/dev/null || echo 1000); echo $((n + 10)) > ${dir}/clock; echo $n\n`,
    );
    chmodSync(join(dir, 'date'), 0o755);
    try {
      const r = waitFor([mark('reused', forever.pid)], `${dir}:${process.env.PATH}`);
      assert.equal(r.code, 0, 'ends once the clock is a minute on');
    } finally {
      process.kill(forever.pid);
      forever.parent.kill();
    }
  });
});

/** The Engine API's readers (docker-commands.ts) under `sh`, against a `curl` that prints a recorded answer. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DOCKER_API, DOCKER_READ } from '../../src/node/docker-commands.js';

/** Runs `script` after the readers, `curl` answering `answer` for any path (exit 22, as curl -f, when it is null). */
function run(script: string, answer: string | null) {
  const dir = mkdtempSync(join(tmpdir(), 'dynia-read-'));
  writeFileSync(join(dir, 'answer'), answer ?? '');
  const { code, stdout } = runWith(script, answer === null ? 'exit 22' : `cat ${dir}/answer`, dir);
  return { code, stdout };
}

/** Runs `script` after the Engine API's functions, `curl` being the shell text `curl`; its arguments go to `args`. */
function runWith(script: string, curl: string, dir = mkdtempSync(join(tmpdir(), 'dynia-read-'))) {
  writeFileSync(join(dir, 'curl'), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${dir}/args\n${curl}\n`);
  chmodSync(join(dir, 'curl'), 0o755);
  const r = spawnSync('sh', ['-c', `${DOCKER_API}\n${DOCKER_READ}\n${script}`], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
  });
  let args = '';
  try {
    args = readFileSync(join(dir, 'args'), 'utf8');
  } catch {}
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, args };
}

// A label that quotes the keys the readers look for: inside a JSON string every quote is escaped.
const INSPECT = JSON.stringify({
  Id: 'abc',
  Config: { Labels: { note: '"Pid":7, "edge":{"IPAddress":"6.6.6.6"}' } },
  State: { Running: true, Pid: 4242 },
  HostConfig: { PidMode: '' },
  NetworkSettings: {
    Networks: {
      app_default: { IPAMConfig: { IPv4Address: '10.0.0.9' }, IPAddress: '172.19.0.3' },
      edge: { IPAMConfig: { IPv4Address: '10.0.0.8' }, Aliases: ['x'], IPAddress: '172.18.0.5' },
    },
  },
});

describe('Engine API readers under sh', () => {
  test("a container's pid and its address on each network, not fooled by a label that quotes the keys", () => {
    const r = run('inspect_container web && echo "$cpid $(network_ip edge) $(network_ip app_default) [$(network_ip other)]"', INSPECT);
    assert.deepEqual(r, { code: 0, stdout: '4242 172.18.0.5 172.19.0.3 []\n' });
  });

  test('a stopped container: pid 0; a missing one: the read fails', () => {
    assert.equal(run('inspect_container web && echo "$cpid"', JSON.stringify({ State: { Pid: 0 } })).stdout, '0\n');
    assert.deepEqual(run('inspect_container web || echo missing', null), { code: 0, stdout: 'missing\n' });
  });

  test('several inspects by one curl: one line each, in order, an empty one for a container that is not there', () => {
    const answers = `printf '%s\\n\\n200\\n' '${INSPECT}'; printf '{"message":"No such container: b"}\\n\\n404\\n'; printf '%s\\n\\n200\\n' '{"Id":"c"}'`;
    const r = runWith('docker_each /containers/a/json /containers/b/json /containers/c/json', answers);
    assert.equal(r.stdout, `${INSPECT}\n\n{"Id":"c"}\n`);
    assert.equal(r.args.trim().split('\n').length, 1, 'one curl');
    assert.match(
      r.args,
      /http:\/\/docker\/containers\/a\/json http:\/\/docker\/containers\/b\/json http:\/\/docker\/containers\/c\/json$/m,
    );
  });

  test('inspects summed up as `<pid> <address>` by awk, not fooled by a label that quotes the keys; `0 -` for none', () => {
    const stopped = JSON.stringify({ State: { Running: false, Pid: 0 }, NetworkSettings: { Networks: { edge: { IPAddress: '' } } } });
    const r = runWith(`printf '%s\\n\\n%s\\n' '${INSPECT}' '${stopped}' | inspect_summary edge`, 'exit 1');
    assert.equal(r.stdout, '4242 172.18.0.5\n0 -\n0 -\n');
    assert.equal(runWith(`printf '%s\\n' '${INSPECT}' | inspect_summary other`, 'exit 1').stdout, '4242 -\n');
  });

  test("two POSTs by one curl, the second only after the first answered 2xx; a failure gives Docker's message", () => {
    const ok = runWith('docker_api_then /a \'{"x":1}\' /b \'{"y":2}\' && echo done', "printf '200\\n200\\n'");
    assert.deepEqual([ok.stdout, ok.args.trim().split('\n').length], ['done\n', 1]);
    assert.match(
      ok.args.trim(),
      /^--fail-early .*--data-raw \{"x":1\} http:\/\/docker\/a --next .*--data-raw \{"y":2\} http:\/\/docker\/b$/,
    );
    const refused = runWith('docker_api_then /a 1 /b 2 || echo failed', `printf '200\\n{"message":"endpoint exists"}\\n403\\n'; exit 22`);
    assert.equal(refused.stdout, 'failed\n');
    assert.equal(refused.stderr, 'Error response from daemon: endpoint exists\n');
  });

  test('a curl without --fail-with-body (older than 7.76, exit 2): one POST after the other', () => {
    const r = runWith('docker_api_then /a 1 /b 2 && echo done', 'case $* in *--fail-with-body*) exit 2 ;; esac; printf 204');
    assert.equal(r.stdout, 'done\n');
    assert.deepEqual(
      r.args
        .trim()
        .split('\n')
        .map((line) => line.split(' ').at(-1)),
      ['http://docker/b', 'http://docker/a', 'http://docker/b'],
      'the refused call, then each on its own',
    );
  });

  test('the ids of a container list, one per line', () => {
    const list = JSON.stringify([
      { Id: 'c1', ImageID: 'sha256:ff', NetworkSettings: { Networks: { edge: { NetworkID: 'n1', EndpointID: 'e1' } } } },
      { Id: 'c2', Labels: { note: '"Id":"dd"' } },
    ]);
    assert.equal(run('docker_get /containers/json | container_ids', list).stdout, 'c1\nc2\n');
  });
});

/** The Engine API's readers (docker-commands.ts) under `sh`, against a `curl` that prints a recorded answer. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DOCKER_READ } from '../../src/node/docker-commands.js';

/** Runs `script` after the readers, `curl` answering `answer` for any path (exit 22, as curl -f, when it is null). */
function run(script: string, answer: string | null) {
  const dir = mkdtempSync(join(tmpdir(), 'dynia-read-'));
  writeFileSync(join(dir, 'answer'), answer ?? '');
  writeFileSync(join(dir, 'curl'), `#!/bin/sh\n${answer === null ? 'exit 22' : `cat ${dir}/answer`}\n`);
  chmodSync(join(dir, 'curl'), 0o755);
  const r = spawnSync('sh', ['-c', `${DOCKER_READ}\n${script}`], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
  });
  return { code: r.status, stdout: r.stdout };
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

  test('the ids of a container list, one per line', () => {
    const list = JSON.stringify([
      { Id: 'c1', ImageID: 'sha256:ff', NetworkSettings: { Networks: { edge: { NetworkID: 'n1', EndpointID: 'e1' } } } },
      { Id: 'c2', Labels: { note: '"Id":"dd"' } },
    ]);
    assert.equal(run('docker_get /containers/json | container_ids', list).stdout, 'c1\nc2\n');
  });
});

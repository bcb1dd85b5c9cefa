/** The sync script under `sh` against stand-ins for `docker` and the Engine API: a file compose refuses leaves the node as it was. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createHash } from 'node:crypto';
import { BASE_CHANGED, CONFIG_REFUSED, EDGE_MISSING, syncCommand, tarOf } from '../../src/node/app-sync.js';

const BASE_RECORD = '{"hash":"h1","files":[]}';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function sync(opts: { networks: string[]; checks?: string[][]; baseSum?: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'dynia-sync-'));
  // The running version's directory, with the record its upload left.
  mkdirSync(join(dir, 'apps/shop-blue/src'), { recursive: true });
  writeFileSync(join(dir, 'apps/shop-blue/files.json'), BASE_RECORD);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\necho "$*" >> ${dir}/ran\n`);
  // The Engine API's network list: each network's name at its top level only.
  const listed = JSON.stringify(opts.networks.map((Name, i) => ({ Name, Id: `n${i}`, IPAM: { Config: [] }, Containers: {} })));
  writeFileSync(
    join(bin, 'curl'),
    `#!/bin/sh\nfor a in "$@"; do u=$a; done\necho "get \${u#http://docker}" >> ${dir}/ran\nprintf '%s' '${listed}'\n`,
  );
  chmodSync(join(bin, 'docker'), 0o755);
  chmodSync(join(bin, 'curl'), 0o755);
  const argv = syncCommand({
    newDir: join(dir, 'apps/shop-green'),
    baseDir: join(dir, 'apps/shop-blue'),
    dataProjectDir: join(dir, 'apps/shop-data'),
    dataDir: join(dir, 'data/shop'),
    networks: [
      { name: 'shop_default', internal: false },
      { name: 'shop_back', internal: true },
    ],
    deleted: [],
    secrets: [],
    dataDirs: [],
    check: opts.checks ?? [['true']],
    ...(opts.baseSum ? { baseSum: opts.baseSum } : {}),
  });
  const tar = await tarOf(
    ['compose.yaml', 'dynia.override.yaml', 'data.override.yaml', 'interpolation.env'].map((name) => ({
      name,
      content: Buffer.from('x'),
      mode: 0o644,
    })),
  );
  const result = spawnSync(argv[0]!, argv.slice(1), {
    input: tar,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
  const ran = existsSync(join(dir, 'ran')) ? readFileSync(join(dir, 'ran'), 'utf8') : '';
  return {
    code: result.status,
    stderr: result.stderr,
    ran,
    apps: existsSync(join(dir, 'apps')) ? readdirSync(join(dir, 'apps')).sort() : [],
  };
}

describe('sync script under sh', () => {
  test("one listing of the node's networks; only the app's missing ones are created", async () => {
    const r = await sync({ networks: ['bridge', 'edge', 'shop_default'] });
    assert.deepEqual([r.code, r.ran], [0, 'get /networks\nnetwork create --internal shop_back\n']);
    assert.deepEqual(r.apps, ['shop-blue', 'shop-data', 'shop-green']);
  });

  test('network edge gone: exit code EDGE_MISSING, nothing staged or created', async () => {
    const r = await sync({ networks: ['bridge', 'edge-old'] });
    assert.deepEqual([r.code, r.ran, r.apps], [EDGE_MISSING, 'get /networks\n', ['shop-blue']]);
  });

  test("a refused file: compose's error on stderr, nothing staged or created", async () => {
    const r = await sync({ networks: ['edge'], checks: [['true'], ['sh', '-c', 'echo "service nope not found" >&2; exit 15']] });
    assert.deepEqual([r.code, r.stderr, r.ran, r.apps], [CONFIG_REFUSED, 'service nope not found\n', 'get /networks\n', ['shop-blue']]);
  });

  test('an upload computed from a local record goes ahead when the base is the one recorded', async () => {
    const r = await sync({ networks: ['edge', 'shop_default', 'shop_back'], baseSum: sha256(BASE_RECORD) });
    assert.deepEqual([r.code, r.apps], [0, ['shop-blue', 'shop-data', 'shop-green']]);
  });

  test('a stale record (the base changed since): exit code BASE_CHANGED before anything is staged, checked or created', async () => {
    const r = await sync({ networks: ['edge'], baseSum: sha256('{"hash":"h0","files":[]}') });
    assert.deepEqual([r.code, r.ran, r.apps], [BASE_CHANGED, '', ['shop-blue']]);
  });
});

/**
 * The SLB heals itself, end to end on the sandbox: two nodes running a WebSocket echo app behind the Worker URL;
 * a WebSocket round trip through it; one node's Caddy stopped and started again while POSTs flow, **without
 * slb:sync**: first with the Cron Trigger fired on demand (POST /__sandbox/scheduled), then on its real schedule.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import { buildAndPushApp } from '../../sandbox/apps.js';
import { CF_ADMIN, cli, ROOT, skipReason, ssh } from './helpers.js';

const run = promisify(execFile);
const skip = skipReason();
const suffix = randomBytes(2).toString('hex');
const names = [`hl-a-${suffix}`, `hl-b-${suffix}`];
const worker = `slb-hl-${suffix}`;
const APP = join(ROOT, 'test/e2e/apps/ws-echo');
const TWO_MINUTES = 120_000;

let stateDir: string;
let workerUrl: URL;
const nodes: Record<string, { ip: string; fqdn: string }> = {};
const origin = (name: string) => `https://${nodes[name]!.fqdn}`;

async function dynia(...args: string[]): Promise<string> {
  const result = await cli(args, { stateDir, timeoutMs: 300_000 });
  assert.equal(result.code, 0, `dynia ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr}`);
  return result.stdout;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One POST through the Worker URL (Node cannot resolve *.localhost: connect to 127.0.0.1 and send its Host). */
function post(path: string): Promise<{ status: number; origin: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: workerUrl.port,
        path,
        method: 'POST',
        headers: { host: workerUrl.host, 'content-type': 'text/plain' },
        agent,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, origin: res.headers['x-dynia-origin'] as string | undefined }));
      },
    );
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('no answer in 20 s')));
    req.end('payload');
  });
}

const fireCron = async () => {
  const res = await fetch(`${CF_ADMIN()}/__sandbox/scheduled`, { method: 'POST', body: JSON.stringify({ script: worker }) });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.equal((JSON.parse(text) as { outcome: string }).outcome, 'ok');
};

const verdicts = async () =>
  Object.fromEntries(
    (
      JSON.parse(await dynia('--json', 'slb:status', '--name', worker)) as { origins: Array<{ origin: string; verdict: string }> }
    ).origins.map((o) => [o.origin, o.verdict]),
  );

interface Watch {
  /** ms from the start to the last failed POST (null: none failed). */
  lastFailureMs: number | null;
  failures: number;
  total: number;
  /** POSTs the dead origin served after the last failure (must be 0). */
  toDeadAfter: number;
  doneMs: number;
}

/**
 * POSTs every 100 ms until `until` holds for the last `quietMs` (no failure, and `settled` true), or two
 * minutes pass. `during` runs once, `atMs` after the start (e.g. fire the cron).
 */
async function watchPosts(
  settled: (served: Array<string | undefined>) => boolean,
  quietMs: number,
  onTick?: (elapsed: number) => Promise<void>,
): Promise<Watch> {
  const started = Date.now();
  let lastFailure: number | null = null;
  let failures = 0;
  let total = 0;
  const window: Array<{ at: number; ok: boolean; origin: string | undefined }> = [];
  for (;;) {
    const at = Date.now();
    const answer = await post(`/p/${total}`).catch(() => ({ status: 0, origin: undefined }));
    total++;
    const ok = answer.status === 200;
    if (!ok) {
      failures++;
      lastFailure = at;
    }
    window.push({ at, ok, origin: answer.origin });
    while (window.length && window[0]!.at < at - quietMs) window.shift();
    const quiet = lastFailure === null || at - lastFailure >= quietMs;
    if (quiet && at - started >= quietMs && settled(window.map((w) => w.origin))) {
      return { lastFailureMs: lastFailure === null ? null : lastFailure - started, failures, total, toDeadAfter: 0, doneMs: at - started };
    }
    assert.ok(
      at - started < TWO_MINUTES + quietMs,
      `not settled within 2 minutes: ${failures} of ${total} POSTs failed, last window ${JSON.stringify(window.slice(-5))}`,
    );
    await onTick?.(at - started);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the SLB heals itself on the sandbox', { skip }, () => {
  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'dynia-slb-health-'));
    await run(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
    const context = mkdtempSync(join(tmpdir(), 'dynia-ws-echo-'));
    cpSync(APP, context, { recursive: true });
    await run('bash', [join(APP, 'rootfs.sh'), context]);
    await buildAndPushApp({ dir: context, hubName: 'dynia-e2e/ws-echo:1' });
    rmSync(context, { recursive: true, force: true });
    for (const name of names) await dynia('node:create', '--name', name);
    for (const node of JSON.parse(await dynia('--json', 'node:list')) as Array<{ name: string; ip: string; fqdn: string }>)
      nodes[node.name] = node;
    for (const name of names) await dynia('app:deploy', '--node', name, '--compose', join(APP, 'compose.yaml'), '--name', 'echo');
    workerUrl = new URL((await dynia('slb:sync', '--name', worker)).trim());
  });

  after(async () => {
    if (!stateDir) return;
    agent.destroy();
    for (const name of names) await cli(['node:destroy', '--name', name, '--yes'], { stateDir });
    await fetch(`${process.env.CLOUDFLARE_API_URL}/accounts/${process.env.CLOUDFLARE_ACCOUNT_ID}/workers/scripts/${worker}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${process.env.CLOUDFLARE_API_TOKEN}` },
    }).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('slb:sync set up the Cron Trigger and the KV namespace once; a second sync reuses them', async () => {
    const again = await cli(['slb:sync', '--name', worker], { stateDir });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /reused [0-9a-f]{32}/);
    assert.match(again.stderr, /Cron Trigger .* already in place/);
    await fireCron();
    assert.deepEqual(await verdicts(), { [origin(names[0]!)]: 'up', [origin(names[1]!)]: 'up' });
  });

  test('a WebSocket round trip through the Worker URL reaches the app on the nodes', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const socket = new WebSocket(`ws://127.0.0.1:${workerUrl.port}/ws`, { headers: { host: workerUrl.host } });
      let servedBy: string | undefined;
      socket.once('upgrade', (res) => (servedBy = res.headers['x-dynia-origin'] as string));
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
      socket.send(`hello ${i}`);
      assert.equal(await reply, `echo:hello ${i}`);
      seen.add(servedBy!);
      socket.close();
    }
    assert.ok(
      [...seen].every((o) => Object.keys(nodes).map(origin).includes(o)),
      [...seen].join(','),
    );
  });

  test('on-demand cron: a stopped Caddy stops getting POSTs, a started one gets them again, without slb:sync', async () => {
    const [, b] = names as [string, string];
    await ssh(nodes[b]!.ip, 'docker stop dynia-caddy');
    let fired = false;
    const down = await watchPosts(
      (served) => served.every((o) => o !== origin(b)),
      15_000,
      async (elapsed) => {
        if (!fired && elapsed > 3000) (fired = true), await fireCron();
      },
    );
    assert.equal((await verdicts())[origin(b)], 'down');
    process.stderr.write(
      `on-demand cron, down: last failed POST ${down.lastFailureMs} ms after the stop; ${down.failures} of ${down.total} failed\n`,
    );

    await ssh(nodes[b]!.ip, 'docker start dynia-caddy');
    let firedUp = false;
    const up = await watchPosts(
      (served) => served.includes(origin(b)),
      5_000,
      async (elapsed) => {
        if (!firedUp && elapsed > 3000) (firedUp = true), await fireCron();
      },
    );
    assert.equal(up.failures, 0);
    assert.equal((await verdicts())[origin(b)], 'up');
  });

  test('real cron (every minute, nothing fired by hand): POSTs stop failing within 2 minutes of a node going down, and it comes back', async () => {
    const [, b] = names as [string, string];
    assert.deepEqual(Object.values(await verdicts()), ['up', 'up'], 'both origins up before the stop');
    await ssh(nodes[b]!.ip, 'docker stop dynia-caddy');
    const down = await watchPosts((served) => served.every((o) => o !== origin(b)), 20_000);
    assert.equal((await verdicts())[origin(b)], 'down');
    assert.ok(down.lastFailureMs === null || down.lastFailureMs < TWO_MINUTES, `last failure ${down.lastFailureMs} ms`);
    process.stderr.write(
      `real cron, down: last failed POST ${down.lastFailureMs} ms after the stop; ${down.failures} of ${down.total} failed\n`,
    );
    await ssh(nodes[b]!.ip, 'docker start dynia-caddy');
    const up = await watchPosts((served) => served.includes(origin(b)), 1_000);
    assert.ok(up.doneMs < TWO_MINUTES);
    process.stderr.write(`real cron, up: ${b} served again ${up.doneMs} ms after the start\n`);
  });
});

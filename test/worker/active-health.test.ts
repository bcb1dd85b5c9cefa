/**
 * Active health in real workerd: the Cron Trigger probes, the verdicts go to KV, and a fresh isolate (another
 * workerd sharing the same KV storage) acts on them without ever having seen the origin fail.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  echo,
  failWith,
  fireScheduled,
  send,
  sharedKv,
  startOrigin,
  startWorker,
  type Responder,
  type RunningWorker,
  type TestOrigin,
  closeAtEnd,
} from './helpers.js';

function kvDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dynia-slb-kv-'));
  closeAtEnd(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An origin whose health answer can be switched (`healthy`); every other path echoes. */
async function switchableOrigin(name: string): Promise<TestOrigin & { healthy: boolean }> {
  let origin: TestOrigin & { healthy: boolean };
  const respond: Responder = (hit, res) => (hit.url === '/healthz' && !origin.healthy ? failWith(503)(hit, res) : echo(hit, res));
  origin = Object.assign(await startOrigin(name, respond), { healthy: true });
  closeAtEnd(origin.close);
  return origin;
}

async function worker(origins: TestOrigin[], dir: string, extra: Record<string, string> = {}): Promise<RunningWorker> {
  const running = await startWorker(
    {
      ORIGINS: JSON.stringify(origins.map((o) => o.url)),
      HEALTH_PATHS: JSON.stringify(Object.fromEntries(origins.map((o) => [o.url, '/healthz']))),
      PROBE_RETRY_MS: '10',
      SHARED_HEALTH_TTL_MS: '0',
      ...extra,
    },
    sharedKv(dir),
  );
  closeAtEnd(running.close);
  return running;
}

const posts = async (url: URL, count: number) => {
  const served: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await send(new URL(`/p/${i}`, url), { method: 'POST', body: 'x' });
    assert.equal(response.status, 200, response.body);
    served.push(String(response.headers['x-origin-name']));
  }
  return served;
};

const healthHits = (origin: TestOrigin) => origin.hits.filter((h) => h.url === '/healthz').length;

describe('active health', () => {
  it('a fresh isolate skips an origin that failed its probes, and sends to it again once it recovers', async () => {
    const a = await switchableOrigin('a');
    const b = await switchableOrigin('b');
    const dir = kvDir();
    const prober = await worker([a, b], dir);
    b.healthy = false;
    assert.equal(await fireScheduled(prober), 'ok');
    assert.equal(healthHits(b), 2, 'two consecutive failed probes in one run (PROBE_FAILURES_TO_DOWN=2)');

    const fresh = await worker([a, b], dir);
    const served = await posts(fresh.url, 20);
    assert.deepEqual([...new Set(served)], ['a'], 'not one POST went to b');

    b.healthy = true;
    assert.equal(await fireScheduled(prober), 'ok');
    const after = await posts(fresh.url, 20);
    assert.ok(after.filter((n) => n === 'b').length >= 8, `b gets traffic again: ${after.join(',')}`);
  });

  it('one failed probe alone does not drop an origin: the retry in the same run passes', async () => {
    const a = await switchableOrigin('a');
    let failNext = true;
    const b = await startOrigin('b', (hit, res) => {
      if (hit.url === '/healthz' && failNext) return ((failNext = false), failWith(503)(hit, res));
      echo(hit, res);
    });
    closeAtEnd(b.close);
    const dir = kvDir();
    const prober = await worker([a, b], dir);
    await fireScheduled(prober);
    assert.equal(healthHits(b), 2, 'failed once, passed on the retry');
    const fresh = await worker([a, b], dir);
    assert.ok((await posts(fresh.url, 10)).includes('b'));
  });

  it('when every origin looks down, it still tries them instead of answering 503 from stale verdicts', async () => {
    const a = await switchableOrigin('a');
    const b = await switchableOrigin('b');
    const dir = kvDir();
    const prober = await worker([a, b], dir);
    a.healthy = false;
    b.healthy = false;
    await fireScheduled(prober);
    const fresh = await worker([a, b], dir);
    const served = await posts(fresh.url, 10);
    assert.deepEqual(new Set(served), new Set(['a', 'b']), 'both still tried in rotation');
  });

  it('keeps passive health as the fast path without a KV binding, and scheduled does nothing', async () => {
    const a = await switchableOrigin('a');
    const running = await startWorker({ ORIGINS: a.url });
    closeAtEnd(running.close);
    assert.equal(await fireScheduled(running), 'ok');
    assert.equal(healthHits(a), 0);
    assert.equal((await send(new URL('/x', running.url))).status, 200);
  });
});

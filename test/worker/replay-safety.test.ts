/**
 * Which requests are replayed on another origin, in real workerd. Every request carries a unique id so we can
 * count how many origins received it. Cooldown is 0 so the rotation keeps sending requests to the bad origin.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  closedOriginUrl,
  failWith,
  send,
  startOrigin,
  startStallingOrigin,
  startWorker,
  type ClientResponse,
  type Hit,
  type RunningWorker,
  type TestOrigin,
  closeAtEnd,
} from './helpers.js';

async function setUp(
  bad: string | TestOrigin,
  bindings: Record<string, string> = {},
): Promise<{ good: TestOrigin; worker: RunningWorker }> {
  const good = await startOrigin('good');
  const worker = await startWorker({
    ORIGINS: [typeof bad === 'string' ? bad : bad.url, good.url].join(','),
    FAIL_COOLDOWN_MS: '0',
    ...bindings,
  });
  closeAtEnd(good.close, worker.close);
  return { good, worker };
}

/** Sends `count` requests (two origins, round robin: at least one meets the bad origin first). */
async function burst(worker: RunningWorker, count: number, method: string, body: Buffer): Promise<ClientResponse[]> {
  const responses: ClientResponse[] = [];
  for (let i = 0; i < count; i++) {
    responses.push(
      await send(new URL(`/${method.toLowerCase()}/${i}`, worker.url), { method, body, headers: { 'x-request-id': `${method}-${i}` } }),
    );
  }
  return responses;
}

const ids = (hits: Hit[]) => hits.map((hit) => String(hit.headers['x-request-id']));
const attemptsOf = (responses: ClientResponse[]) => responses.map((r) => r.headers['x-dynia-attempts']);

describe('replayed', () => {
  it('PUT with a small (buffered) body fails over to the next origin with the same bytes', async () => {
    const bad = await startOrigin('bad', failWith(503));
    closeAtEnd(bad.close);
    const { good, worker } = await setUp(bad);
    const body = Buffer.from('{"replace":"me"}');
    const responses = await burst(worker, 4, 'PUT', body);
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200, 200],
    );
    assert.ok(attemptsOf(responses).includes('2'));
    assert.deepEqual(ids(good.hits).sort(), ['PUT-0', 'PUT-1', 'PUT-2', 'PUT-3']);
    for (const hit of good.hits) assert.ok(hit.body.equals(body));
  });
});

describe('never replayed', () => {
  it("POST with a large streamed body reaches at most one origin; the origin's 503 goes to the client", async () => {
    const bad = await startOrigin('bad', failWith(503));
    closeAtEnd(bad.close);
    const { good, worker } = await setUp(bad);
    const body = Buffer.alloc(200 * 1024, 1);
    const responses = await burst(worker, 4, 'POST', body);
    assert.deepEqual(attemptsOf(responses), ['1', '1', '1', '1']);
    const seen = [...ids(bad.hits), ...ids(good.hits)];
    assert.deepEqual([...seen].sort(), ['POST-0', 'POST-1', 'POST-2', 'POST-3'], 'each POST arrived exactly once');
    assert.equal(responses.filter((r) => r.status === 503).length, bad.hits.length);
    assert.ok(bad.hits.length >= 1);
    for (const hit of bad.hits) assert.equal(hit.body.length, body.length);
  });

  it('PUT with a body over the buffer limit is streamed once, not replayed', async () => {
    const bad = await startOrigin('bad', failWith(502));
    closeAtEnd(bad.close);
    const { good, worker } = await setUp(bad);
    const responses = await burst(worker, 2, 'PUT', Buffer.alloc(64 * 1024 + 1, 2));
    assert.deepEqual(attemptsOf(responses), ['1', '1']);
    assert.deepEqual(responses.map((r) => r.status).sort(), [200, 502]);
    assert.equal(bad.hits.length + good.hits.length, 2);
  });

  it('POST with a small body is not replayed even after a refused connection (workerd cannot tell it from a lost one)', async () => {
    const { good, worker } = await setUp(await closedOriginUrl());
    const responses = await burst(worker, 4, 'POST', Buffer.from('pay=1'));
    const failed = responses.filter((r) => r.status !== 200);
    assert.ok(failed.length >= 1);
    for (const response of failed) {
      assert.equal(response.status, 502);
      assert.equal(JSON.parse(response.body).error, 'origin_unreachable');
      assert.equal(response.headers['x-dynia-attempts'], '1');
    }
    assert.equal(good.hits.length, 4 - failed.length);
  });

  it('POST to a stalling origin ends in 504 after the timeout, and no other origin sees it', async () => {
    const stall = await startStallingOrigin();
    closeAtEnd(stall.close);
    const { good, worker } = await setUp(stall.url, { ORIGIN_TIMEOUT_MS: '200' });
    const responses = await burst(worker, 2, 'POST', Buffer.alloc(100 * 1024, 3));
    assert.deepEqual(responses.map((r) => r.status).sort(), [200, 504]);
    assert.equal(JSON.parse(responses.find((r) => r.status === 504)!.body).error, 'origin_timeout');
    assert.equal(good.hits.length, 1);
  });
});

describe('slow uploads', () => {
  it('are not cut off by the per-attempt timeout while bytes keep flowing', async () => {
    const good = await startOrigin('good');
    const worker = await startWorker({ ORIGINS: good.url, ORIGIN_TIMEOUT_MS: '300' });
    closeAtEnd(good.close, worker.close);
    const response = await new Promise<number>((resolve, reject) => {
      const req = http.request(new URL('/upload', worker.url), { method: 'POST', headers: { 'content-length': '10' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      let sent = 0;
      const tick = setInterval(() => {
        req.write('x');
        if (++sent === 10) {
          clearInterval(tick);
          req.end();
        }
      }, 100); // 1 s in total, more than three times the timeout
    });
    assert.equal(response, 200);
    assert.equal(good.hits[0]?.body.toString(), 'xxxxxxxxxx');
  });

  it('that the client abandons do not get the origin blamed (no cooldown)', async () => {
    const a = await startOrigin('a');
    const b = await startOrigin('b');
    const worker = await startWorker({ ORIGINS: [a.url, b.url].join(',') });
    closeAtEnd(a.close, b.close, worker.close);
    for (let i = 0; i < 2; i++) {
      // Round robin: the two abandoned uploads go to different origins.
      const req = http.request(new URL('/abandoned', worker.url), { method: 'POST', headers: { 'content-length': '100000' } });
      req.on('error', () => undefined);
      req.write('x'.repeat(1000));
      await sleep(150);
      req.destroy();
      await sleep(150);
    }
    const served: string[] = [];
    for (let i = 0; i < 4; i++) served.push(String((await send(new URL('/after', worker.url))).headers['x-origin-name']));
    assert.deepEqual(served.sort(), ['a', 'a', 'b', 'b']);
  });
});

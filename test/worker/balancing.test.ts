/** Spread, failover and passive health, in real workerd against local origins. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  closedOriginUrl,
  countBy,
  failWith,
  send,
  startOrigin,
  startStallingOrigin,
  startWorker,
  type ClientResponse,
  type RunningWorker,
  type TestOrigin,
  closeAtEnd,
} from './helpers.js';

async function origins(...names: string[]): Promise<TestOrigin[]> {
  const started = await Promise.all(names.map((name) => startOrigin(name)));
  for (const origin of started) closeAtEnd(origin.close);
  return started;
}

async function worker(bindings: Record<string, string>): Promise<RunningWorker> {
  const running = await startWorker(bindings);
  closeAtEnd(running.close);
  return running;
}

async function sequential(count: number, url: URL): Promise<ClientResponse[]> {
  const responses: ClientResponse[] = [];
  for (let i = 0; i < count; i++) responses.push(await send(new URL(`/r/${i}`, url)));
  return responses;
}

function assertAllServedBy(responses: ClientResponse[], good: TestOrigin[]): void {
  const goodUrls = good.map((o) => o.url);
  for (const response of responses) {
    assert.equal(response.status, 200, response.body);
    assert.ok(goodUrls.includes(String(response.headers['x-dynia-origin'])), String(response.headers['x-dynia-origin']));
  }
}

describe('spread', () => {
  it('spreads sequential requests evenly over 3 origins', async () => {
    const three = await origins('a', 'b', 'c');
    const { url } = await worker({ ORIGINS: three.map((o) => o.url).join(',') });
    const responses = await sequential(300, url);
    assertAllServedBy(responses, three);
    for (const origin of three) assert.ok(Math.abs(origin.hits.length - 100) <= 10, `${origin.name}: ${origin.hits.length}`);
    assert.deepEqual(
      countBy(responses, (r) => String(r.headers['x-dynia-attempts'])),
      { 1: 300 },
    );
  });
});

describe('failover', () => {
  it('hides a down origin (closed port) from clients: zero errors, sequential and concurrent', async () => {
    const good = await origins('a', 'b');
    // Cooldown 0: every rotation hits the dead origin, so each of those requests must fail over.
    const { url } = await worker({ ORIGINS: JSON.stringify([...good.map((o) => o.url), await closedOriginUrl()]), FAIL_COOLDOWN_MS: '0' });
    const responses = await sequential(60, url);
    for (let batch = 0; batch < 3; batch++) {
      responses.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => send(new URL(`/c/${batch}/${i}`, url))))));
    }
    assertAllServedBy(responses, good);
    const attempts = countBy(responses, (r) => String(r.headers['x-dynia-attempts']));
    assert.ok((attempts['2'] ?? 0) >= 15, JSON.stringify(attempts));
    assert.equal(attempts['1']! + attempts['2']!, 120);
  });

  it('hides a stalling origin (accepts, never answers) after the per-attempt timeout', async () => {
    const good = await origins('a', 'b');
    const stall = await startStallingOrigin();
    closeAtEnd(stall.close);
    const { url } = await worker({
      ORIGINS: [...good.map((o) => o.url), stall.url].join(','),
      ORIGIN_TIMEOUT_MS: '200',
      FAIL_COOLDOWN_MS: '0',
    });
    const started = Date.now();
    const responses = await sequential(12, url);
    assertAllServedBy(responses, good);
    assert.equal(countBy(responses, (r) => String(r.headers['x-dynia-attempts']))['2'], 4);
    assert.ok(stall.connections() >= 1);
    assert.ok(Date.now() - started >= 4 * 200, 'the four stalled attempts each waited for the timeout');
  });
});

describe('passive health', () => {
  it('skips a failing origin during its cooldown, then tries it again', async () => {
    const good = await origins('a', 'b');
    const bad = await startOrigin('bad', failWith(503));
    closeAtEnd(bad.close);
    // 600 ms: the 30 requests take about 50.
    const { url } = await worker({ ORIGINS: [...good.map((o) => o.url), bad.url].join(','), FAIL_COOLDOWN_MS: '600' });
    assertAllServedBy(await sequential(30, url), good);
    assert.equal(bad.hits.length, 1, 'hit once, then skipped');
    await sleep(700);
    assertAllServedBy(await sequential(6, url), good);
    assert.equal(bad.hits.length, 2, 'tried again after the cooldown');
  });
});

describe('all origins down', () => {
  it('answers 503 with a JSON body that names no origin, then probes just one origin per request', async () => {
    const { url } = await worker({ ORIGINS: [await closedOriginUrl(), await closedOriginUrl()].join(',') });
    const first = await send(new URL('/x', url));
    assert.equal(first.status, 503);
    assert.equal(first.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(first.headers['retry-after'], '10');
    assert.equal(first.headers['x-dynia-attempts'], '2');
    assert.equal(first.headers['x-dynia-origin'], undefined);
    assert.deepEqual(JSON.parse(first.body), {
      error: 'no_origin_available',
      message: 'No origin could serve this request right now. Please retry shortly.',
    });
    const second = await send(new URL('/x', url));
    assert.equal(second.status, 503);
    assert.equal(second.headers['x-dynia-attempts'], '1');
  });

  it('answers 503 when every origin stalls, after one timeout per origin', async () => {
    const stalls = [await startStallingOrigin(), await startStallingOrigin()];
    for (const stall of stalls) closeAtEnd(stall.close);
    const { url } = await worker({ ORIGINS: stalls.map((s) => s.url).join(','), ORIGIN_TIMEOUT_MS: '150' });
    const started = Date.now();
    const response = await send(new URL('/x', url));
    assert.equal(response.status, 503);
    assert.equal(response.headers['x-dynia-attempts'], '2');
    assert.ok(Date.now() - started >= 300);
  });
});

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { describe, it, type TestContext } from 'node:test';
import { z } from 'zod';
import { CloudError, describeApiError, redact } from '../../src/cloud/cloud-error.js';
import { HttpClient, type HttpClientOptions, type RetryEvent } from '../../src/cloud/http.js';
import { collectPages } from '../../src/cloud/paginate.js';
import { backoffDelay, isRetryable, parseRetryAfter, retryDelay, DEFAULT_RETRY_POLICY } from '../../src/cloud/retry.js';
import { DyniaError } from '../../src/errors.js';

const TOKEN = 'dop_v1_TOPSECRET0123456789abcdef';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server answering with `handler`; records every request; closed when the test ends. */
async function fakeApi(t: TestContext, handler: (req: Seen, res: ServerResponse, index: number) => void) {
  const requests: Seen[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const seen = { method: req.method!, url: req.url!, headers: req.headers, body };
    requests.push(seen);
    handler(seen, res, requests.length - 1);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    if (!server.listening) return;
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  };
  t.after(close);
  return { url, requests, close };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

function client(t: TestContext, url: string, extra: Partial<HttpClientOptions> = {}) {
  const delays: number[] = [];
  const retries: RetryEvent[] = [];
  const http = new HttpClient({
    service: 'DigitalOcean',
    baseUrl: url,
    token: TOKEN,
    retry: { baseDelayMs: 100, maxDelayMs: 5000 },
    sleep: async (ms) => void delays.push(ms),
    random: () => 0.5,
    now: () => Date.parse('2026-01-01T00:00:00Z'),
    onRetry: (event) => retries.push(event),
    ...extra,
  });
  t.after(() => http.close());
  return { http, delays, retries };
}

async function cloudError(promise: Promise<unknown>): Promise<CloudError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CloudError, String(error));
    assert.ok(error instanceof DyniaError && error.kind === 'cloud');
    return error;
  }
  assert.fail('expected a CloudError');
}

/** Every way an error may be printed or logged. */
const allTextOf = (error: Error) =>
  [error.message, String(error), error.stack, (error as DyniaError).hint, inspect(error, { depth: 5 }), JSON.stringify(error)].join('\n');

describe('retry policy (pure)', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads retry-after as seconds or HTTP date', () => {
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('0.5', now), 500);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now), 7000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it('backs off exponentially with equal jitter, capped', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0)),
      [50, 100, 200, 400, 500],
    );
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 1)),
      [100, 200, 400, 800, 1000],
    );
    assert.equal(
      retryDelay(1, 60_000, { ...DEFAULT_RETRY_POLICY, maxDelayMs: 20_000 }, () => 0),
      20_000,
    );
    assert.equal(
      retryDelay(1, 1500, DEFAULT_RETRY_POLICY, () => 0),
      1500,
    );
  });

  it('retries 429 always, 5xx and network errors only when repeating is harmless', () => {
    assert.equal(isRetryable({ method: 'POST', status: 429 }), true);
    assert.equal(isRetryable({ method: 'GET', status: 503 }), true);
    assert.equal(isRetryable({ method: 'DELETE' }), true);
    assert.equal(isRetryable({ method: 'POST', status: 500 }), false);
    assert.equal(isRetryable({ method: 'POST' }), false);
    assert.equal(isRetryable({ method: 'POST', status: 502, retrySafe: true }), true);
    assert.equal(isRetryable({ method: 'GET', status: 501 }), false);
    assert.equal(isRetryable({ method: 'GET', status: 404 }), false);
  });

  it('extracts the API error text of both clouds', () => {
    assert.equal(
      describeApiError({ id: 'not_found', message: 'The resource you requested could not be found.' }),
      'not_found: The resource you requested could not be found.',
    );
    assert.equal(
      describeApiError({
        success: false,
        errors: [
          { code: 81057, message: 'Record already exists.' },
          { code: 1004, message: 'DNS Validation Error' },
        ],
        messages: [],
        result: null,
      }),
      '81057: Record already exists.; 1004: DNS Validation Error',
    );
    assert.equal(describeApiError('<html>Bad gateway</html>'), '<html>Bad gateway</html>');
    assert.equal(describeApiError(undefined), undefined);
    assert.equal(redact(`Bearer ${TOKEN} and ${TOKEN}`, [TOKEN]), 'Bearer [redacted] and [redacted]');
  });

  it('collects pages until the API says there are no more', async () => {
    const asked: number[] = [];
    const items = await collectPages('test', async (page) => {
      asked.push(page);
      return { items: [page * 10, page * 10 + 1], hasMore: page < 3 };
    });
    assert.deepEqual(items, [10, 11, 20, 21, 30, 31]);
    assert.deepEqual(asked, [1, 2, 3]);
    // An empty page stops even a lying "more".
    assert.deepEqual(await collectPages('test', async () => ({ items: [], hasMore: true })), []);
  });
});

describe('HttpClient', () => {
  it('sends the bearer token, JSON body and query, and parses the answer', async (t) => {
    const api = await fakeApi(t, (_req, res) => json(res, 201, { ok: true }));
    const { http } = client(t, `${api.url}/`);
    const response = await http.request({
      method: 'POST',
      path: '/v2/things',
      query: { page: 2, skip: undefined, tag_name: 'a b' },
      json: { name: 'x' },
    });
    assert.equal(response.status, 201);
    assert.deepEqual(response.body, { ok: true });
    const [seen] = api.requests;
    assert.equal(seen!.url, '/v2/things?page=2&tag_name=a+b');
    assert.equal(seen!.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(seen!.headers['content-type'], 'application/json');
    assert.equal(seen!.body, '{"name":"x"}');
  });

  it('retries 5xx on GET with backoff and reports each retry', async (t) => {
    const api = await fakeApi(t, (_req, res, i) =>
      i < 2 ? json(res, 503, { id: 'server_error', message: 'busy' }) : json(res, 200, { n: i }),
    );
    const { http, delays, retries } = client(t, api.url);
    const response = await http.request({ method: 'GET', path: '/v2/droplets' });
    assert.deepEqual(response.body, { n: 2 });
    assert.deepEqual(delays, [75, 150]);
    assert.deepEqual(
      retries.map((r) => [r.retry, r.reason, r.delayMs, r.method, r.path]),
      [
        [1, 'HTTP 503', 75, 'GET', '/v2/droplets'],
        [2, 'HTTP 503', 150, 'GET', '/v2/droplets'],
      ],
    );
  });

  it('honours retry-after (seconds and date) on 429, capped', async (t) => {
    const answers = [
      () => ({ status: 429, headers: { 'retry-after': '2' } }),
      () => ({ status: 429, headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' } }),
      () => ({ status: 429, headers: { 'retry-after': '3600' } }),
      () => ({ status: 200, headers: {} }),
    ];
    const api = await fakeApi(t, (_req, res, i) => {
      const answer = answers[i]!();
      json(
        res,
        answer.status,
        answer.status === 200 ? { ok: 1 } : { id: 'too_many_requests', message: 'API rate limit exceeded.' },
        answer.headers,
      );
    });
    const { http, delays } = client(t, api.url);
    await http.request({ method: 'POST', path: '/v2/droplets', json: {} });
    assert.deepEqual(delays, [2000, 3000, 5000]);
  });

  it('really waits for retry-after when sleeping for real', async (t) => {
    // A fractional retry-after (parseRetryAfter takes one) keeps the real wait short.
    const api = await fakeApi(t, (_req, res, i) =>
      i === 0 ? json(res, 429, { errors: [] }, { 'retry-after': '0.3' }) : json(res, 200, {}),
    );
    const http = new HttpClient({ service: 'Cloudflare', baseUrl: api.url, token: TOKEN });
    t.after(() => http.close());
    const started = Date.now();
    await http.request({ method: 'GET', path: '/zones' });
    const waited = Date.now() - started;
    assert.ok(waited >= 285 && waited < 2300, `waited ${waited} ms`);
  });

  it('does not repeat a POST after a 5xx unless marked safe', async (t) => {
    const api = await fakeApi(t, (_req, res) => json(res, 500, { id: 'server_error', message: 'Unexpected server-side error' }));
    const { http } = client(t, api.url);
    const error = await cloudError(http.request({ method: 'POST', path: '/v2/droplets', json: {} }));
    assert.equal(api.requests.length, 1);
    assert.equal(error.message, 'DigitalOcean POST /v2/droplets failed (HTTP 500): server_error: Unexpected server-side error');
    await cloudError(http.request({ method: 'POST', path: '/scripts/x/subdomain', json: {}, retrySafe: true }));
    assert.equal(api.requests.length, 1 + 1 + DEFAULT_RETRY_POLICY.maxRetries);
  });

  it('surfaces the API error text, status and call (without the query) and does not retry 4xx', async (t) => {
    const api = await fakeApi(t, (_req, res) =>
      json(res, 400, { success: false, errors: [{ code: 9109, message: 'Invalid access token' }], messages: [], result: null }),
    );
    const { http } = client(t, api.url, { service: 'Cloudflare' });
    const error = await cloudError(http.request({ method: 'GET', path: '/zones/abc/dns_records', query: { name: 'x.example.com' } }));
    assert.equal(api.requests.length, 1);
    assert.equal(error.service, 'Cloudflare');
    assert.equal(error.method, 'GET');
    assert.equal(error.path, '/zones/abc/dns_records');
    assert.equal(error.status, 400);
    assert.equal(error.apiMessage, '9109: Invalid access token');
    assert.equal(error.message, 'Cloudflare GET /zones/abc/dns_records failed (HTTP 400): 9109: Invalid access token');
  });

  it('hands back allowed statuses instead of throwing', async (t) => {
    const api = await fakeApi(t, (_req, res) => json(res, 404, { id: 'not_found', message: 'gone' }));
    const { http } = client(t, api.url);
    const response = await http.request({ method: 'DELETE', path: '/v2/droplets/1', allowStatus: [404] });
    assert.equal(response.status, 404);
  });

  it('checks response shapes', async (t) => {
    const api = await fakeApi(t, (_req, res) => json(res, 200, { droplet: { id: 'seven' } }));
    const { http } = client(t, api.url);
    const response = await http.request({ method: 'GET', path: '/v2/droplets/7' });
    const error = await cloudError(Promise.resolve().then(() => http.parse(z.object({ droplet: z.object({ id: z.number() }) }), response)));
    assert.match(error.message, /^DigitalOcean GET \/v2\/droplets\/7 failed \(HTTP 200\): unexpected response \(droplet\.id: /);
  });

  it('retries network errors on GET and then reports them', async (t) => {
    const api = await fakeApi(t, () => undefined);
    await api.close();
    const { http, retries } = client(t, api.url);
    const error = await cloudError(http.request({ method: 'GET', path: '/v2/account' }));
    assert.equal(retries.length, DEFAULT_RETRY_POLICY.maxRetries);
    assert.equal(error.status, undefined);
    assert.equal(
      error.message,
      `DigitalOcean GET /v2/account failed after ${DEFAULT_RETRY_POLICY.maxRetries + 1} attempts: network error (ECONNREFUSED)`,
    );
  });

  it('times out each attempt', async (t) => {
    const api = await fakeApi(t, () => undefined); // never answers
    const { http, retries } = client(t, api.url, { timeoutMs: 100, retry: { maxRetries: 1, baseDelayMs: 1 } });
    const started = Date.now();
    const error = await cloudError(http.request({ method: 'GET', path: '/v2/droplets' }));
    assert.ok(Date.now() - started < 2000);
    assert.equal(api.requests.length, 2);
    assert.deepEqual(
      retries.map((r) => r.reason),
      ['no answer within 100 ms'],
    );
    assert.equal(error.message, 'DigitalOcean GET /v2/droplets failed after 2 attempts: no answer within 100 ms');
  });

  it('stops retrying once the client-wide retry budget is spent', async (t) => {
    const api = await fakeApi(t, (_req, res) => json(res, 503, {}));
    const { http } = client(t, api.url, { retry: { maxRetries: 3, budget: 4, baseDelayMs: 1 } });
    assert.equal(
      (await cloudError(http.request({ method: 'GET', path: '/a' }))).message,
      'DigitalOcean GET /a failed (HTTP 503) after 4 attempts',
    );
    await cloudError(http.request({ method: 'GET', path: '/b' }));
    await cloudError(http.request({ method: 'GET', path: '/c' }));
    assert.deepEqual(
      api.requests.map((r) => r.url),
      ['/a', '/a', '/a', '/a', '/b', '/b', '/c'],
    );
  });

  it('never lets the token into an error, a retry report or a log line', async (t) => {
    // A hostile API echoing the Authorization header back in its error text and in a non-JSON body.
    const api = await fakeApi(t, (req, res, i) => {
      if (i % 2 === 0) json(res, 401, { id: 'unauthorized', message: `bad credentials: ${req.headers.authorization}` });
      else {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end(`upstream rejected ${req.headers.authorization}`);
      }
    });
    const reports: RetryEvent[] = [];
    const errors: CloudError[] = [];
    const { http } = client(t, api.url, { onRetry: (event) => reports.push(event), retry: { baseDelayMs: 1, maxRetries: 1 } });
    errors.push(await cloudError(http.request({ method: 'GET', path: `/v2/account?token=${TOKEN}` })));
    errors.push(await cloudError(http.request({ method: 'GET', path: `/v2/account?token=${TOKEN}` })));
    const response = await http.request({ method: 'GET', path: '/v2/x', allowStatus: [401] });
    errors.push(await cloudError(Promise.resolve().then(() => http.parse(z.object({ never: z.string() }), response))));
    await api.close();
    errors.push(await cloudError(http.request({ method: 'GET', path: '/v2/account' })));
    const silent = await fakeApi(t, () => undefined);
    const { http: slow } = client(t, silent.url, { timeoutMs: 50, retry: { maxRetries: 0 } });
    errors.push(await cloudError(slow.request({ method: 'GET', path: '/v2/account' })));
    await silent.close();

    assert.equal(errors.length, 5);
    for (const error of errors) assert.ok(!allTextOf(error).includes(TOKEN), `token leaked in: ${allTextOf(error)}`);
    assert.ok(!JSON.stringify(reports).includes(TOKEN));
    assert.match(errors[0]!.message, /bad credentials: Bearer \[redacted\]/);
    // Logging the client itself does not show the token either.
    assert.ok(!inspect(http, { showHidden: true, depth: 10 }).includes(TOKEN));
    assert.ok(!JSON.stringify(http).includes(TOKEN));
    assert.equal(errors[0]!.hint, 'Check the DigitalOcean API token: it was rejected.');
  });
});

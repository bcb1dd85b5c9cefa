/** What reaches the origin and what comes back, in real workerd; and that nothing else is ever fetched. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { send, startOrigin, startWorker, type RunningWorker, type TestOrigin } from './helpers.js';

let origin: TestOrigin;
let decoy: TestOrigin;
let worker: RunningWorker;

before(async () => {
  origin = await startOrigin('only', (hit, res) => {
    if (hit.url === '/redirect') {
      res.writeHead(302, { location: `${decoy.url}/followed` }).end();
      return;
    }
    if (hit.url === '/server-error') {
      res.writeHead(500).end('boom');
      return;
    }
    res.setHeader('connection', 'keep-alive, x-internal');
    res.setHeader('x-internal', 'node-only');
    res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
    res.end(`${hit.method} ${hit.url} ${hit.body.length}`);
  });
  decoy = await startOrigin('decoy');
  worker = await startWorker({ ORIGINS: origin.url });
});

after(async () => {
  await worker.close();
  await origin.close();
  await decoy.close();
});

const lastHit = () => origin.hits.at(-1)!;
const originHost = () => new URL(origin.url).host;

describe('request forwarding', () => {
  it('sets X-Forwarded-*, uses the origin host as Host and strips hop-by-hop headers', async () => {
    const response = await send(new URL('/headers', worker.url), {
      headers: {
        host: 'app.example.com',
        'cf-connecting-ip': '203.0.113.7',
        'x-forwarded-for': '10.6.6.6',
        connection: 'keep-alive, x-hop',
        'x-hop': 'secret',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'proxy-authorization': 'Basic cHJveHk6cHc=',
        'x-custom': 'kept',
        authorization: 'Bearer end-to-end',
      },
    });
    assert.equal(response.status, 200);
    const seen = lastHit().headers;
    assert.equal(seen.host, originHost());
    assert.equal(seen['x-forwarded-for'], '203.0.113.7');
    assert.equal(seen['x-forwarded-host'], 'app.example.com');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-custom'], 'kept');
    assert.equal(seen.authorization, 'Bearer end-to-end');
    for (const name of ['x-hop', 'keep-alive', 'te', 'proxy-authorization']) assert.equal(seen[name], undefined, name);
    assert.notEqual(seen.connection, 'keep-alive, x-hop');
  });

  it('forwards method, path and query untouched', async () => {
    const response = await send(new URL('/a/b%20c/?q=1&x=%2F&empty=', worker.url), { method: 'DELETE' });
    assert.equal(response.body, 'DELETE /a/b%20c/?q=1&x=%2F&empty= 0');
  });

  it('forwards small, large and chunked bodies intact, keeping Content-Length framing', async () => {
    const small = 'hello';
    await send(new URL('/small', worker.url), { method: 'PUT', body: small, headers: { 'content-type': 'text/plain' } });
    assert.equal(lastHit().body.toString(), small);
    assert.equal(lastHit().headers['content-length'], '5');
    assert.equal(lastHit().headers['content-type'], 'text/plain');

    const large = Buffer.alloc(300 * 1024, 7);
    const response = await send(new URL('/large', worker.url), { method: 'POST', body: large });
    assert.equal(response.body, `POST /large ${large.length}`);
    assert.ok(lastHit().body.equals(large));
    assert.equal(lastHit().headers['content-length'], String(large.length));

    await send(new URL('/chunked', worker.url), { method: 'PATCH', body: 'chunk-me', headers: { 'transfer-encoding': 'chunked' } });
    assert.equal(lastHit().body.toString(), 'chunk-me');
    assert.equal(lastHit().headers['transfer-encoding'], 'chunked');
  });

  it('answers HEAD without a body', async () => {
    const response = await send(new URL('/head', worker.url), { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(lastHit().method, 'HEAD');
  });
});

describe('response forwarding', () => {
  it('strips hop-by-hop headers, keeps every Set-Cookie and tags origin and attempts', async () => {
    const response = await send(new URL('/cookies', worker.url));
    assert.equal(response.headers['x-internal'], undefined);
    assert.deepEqual(response.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
    assert.equal(response.headers['x-dynia-origin'], origin.url);
    assert.equal(response.headers['x-dynia-attempts'], '1');
    assert.equal(response.headers['x-origin-name'], 'only');
  });

  it('passes a 500 through without retrying it (only 502/503/504 mean "try elsewhere")', async () => {
    const before = origin.hits.length;
    const response = await send(new URL('/server-error', worker.url));
    assert.equal(response.status, 500);
    assert.equal(response.body, 'boom');
    assert.equal(origin.hits.length, before + 1);
  });
});

describe('never an open proxy', () => {
  it('ignores the Host header', async () => {
    const response = await send(new URL('/via-host', worker.url), { headers: { host: new URL(decoy.url).host } });
    assert.equal(response.headers['x-dynia-origin'], origin.url);
    assert.equal(lastHit().url, '/via-host');
  });

  it('treats a scheme-relative looking path as a path', async () => {
    const path = `//${new URL(decoy.url).host}/steal`;
    await send(worker.url, { path });
    assert.equal(lastHit().url, path);
  });

  it('ignores absolute-form request targets', async () => {
    // workerd's listener refuses this form itself (500, logged); were it accepted, only the path would count.
    const response = await send(worker.url, { path: `${decoy.url}/absolute` });
    if (response.status === 200) assert.equal(lastHit().url, '/absolute');
    else assert.ok(response.status >= 400, String(response.status));
  });

  it('ignores the URL a caller hands the Worker directly', async () => {
    const response = await worker.mf.dispatchFetch(`${decoy.url}/dispatched?x=1`);
    assert.equal(response.headers.get('x-dynia-origin'), origin.url);
    assert.equal(await response.text(), 'GET /dispatched?x=1 0');
  });

  it('returns redirects to the client instead of following them', async () => {
    const response = await send(new URL('/redirect', worker.url));
    assert.equal(response.status, 302);
    assert.equal(response.headers.location, `${decoy.url}/followed`);
  });

  after(() => assert.equal(decoy.hits.length, 0, 'the decoy origin was never contacted'));
});

describe('misconfiguration', () => {
  it('answers 500 without revealing the bindings', async () => {
    const broken = await startWorker({ ORIGINS: 'https://ok.example.com,http://plain.example.com', ALLOW_HTTP_ORIGINS: 'false' });
    try {
      const response = await send(new URL('/x', broken.url));
      assert.equal(response.status, 500);
      assert.deepEqual(JSON.parse(response.body), { error: 'misconfigured', message: 'The load balancer is misconfigured.' });
    } finally {
      await broken.close();
    }
  });
});

/** The Miniflare-backed WorkerRuntime: real workerd, one listener routed by Host, redeploys, outbound bridge. */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createWorkerRuntime, type LocalWorkerRuntime } from '../../sandbox/workers/runtime.js';

const WORKER = `
import banner from './banner.txt';
import config from './config.json';
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const upstream = await fetch(env.ORIGIN + url.pathname + url.search, {
      method: request.method,
      headers: { 'x-via': 'worker' },
      body: request.method === 'GET' ? undefined : await request.text(),
    });
    return Response.json({
      greeting: env.GREETING,
      banner,
      retries: config.retries,
      seenUrl: request.url,
      seenHost: request.headers.get('host'),
      seenCustom: request.headers.get('x-custom'),
      clientIp: request.headers.get('cf-connecting-ip'),
      origin: await upstream.text(),
    }, { headers: { 'x-worker': 'slb' } });
  },
};`;

type Json = Record<string, any>;

function spec(greeting: string, origin: string, overrides: Json = {}) {
  return {
    name: 'slb',
    mainModule: 'worker.mjs',
    modules: [
      { name: 'worker.mjs', content: WORKER, type: 'esm' as const },
      { name: 'banner.txt', content: 'hi there', type: 'text' as const },
      { name: 'config.json', content: '{"retries":3}', type: 'json' as const },
    ],
    bindings: { ORIGIN: origin, GREETING: greeting },
    compatibilityDate: '2024-09-23',
    ...overrides,
  };
}

/** node:http, since fetch() may not set Host. */
function send(port: number, host: string, path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: { host, ...init.headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

async function startOrigin(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => res.end(`${req.method} ${req.url} via=${req.headers['x-via']} body=${body}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('workers runtime (miniflare)', () => {
  let runtime: LocalWorkerRuntime;
  let port = 0;
  let origin: { server: Server; url: string };
  const HOST = 'slb.sandbox.workers.localhost:4782';

  before(async () => {
    origin = await startOrigin();
    runtime = await createWorkerRuntime({ port: 0 });
    port = Number(new URL(runtime.url).port);
  });
  after(async () => {
    await runtime.close();
    origin.server.close();
  });

  it('serves a deployed script by the first label of Host, with bindings and modules', async () => {
    await runtime.deploy(spec('v1', origin.url));
    const res = await send(port, HOST, '/health?x=1', { headers: { 'x-custom': 'kept', 'cf-connecting-ip': '6.6.6.6' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-worker'], 'slb');
    const body = JSON.parse(res.text) as Json;
    assert.deepEqual(body, {
      greeting: 'v1',
      banner: 'hi there',
      retries: 3,
      seenUrl: `http://${HOST}/health?x=1`,
      seenHost: HOST,
      seenCustom: 'kept',
      clientIp: '127.0.0.1',
      origin: 'GET /health?x=1 via=worker body=',
    });
  });

  it('forwards the method and streams the body', async () => {
    const payload = 'x'.repeat(256 * 1024);
    const res = await send(port, HOST, '/submit', { method: 'POST', body: payload });
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.text) as Json).origin, `POST /submit via=worker body=${payload}`);
  });

  it('answers 404 text for hosts without a script', async () => {
    const res = await send(port, 'nope.sandbox.workers.localhost', '/');
    assert.equal(res.status, 404);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
  });

  it('replaces a script on redeploy (new binding visible)', async () => {
    await runtime.deploy(spec('v2', origin.url));
    assert.equal((JSON.parse((await send(port, HOST, '/')).text) as Json).greeting, 'v2');
  });

  it("rejects a script that fails to start with workerd's error, keeping the running version", async () => {
    const broken = spec('v3', origin.url, { modules: [{ name: 'worker.mjs', content: 'export default { fetch( {', type: 'esm' }] });
    await assert.rejects(runtime.deploy(broken), /^Error: Uncaught SyntaxError/);
    assert.equal((JSON.parse((await send(port, HOST, '/')).text) as Json).greeting, 'v2');
  });

  it('runs a compatibility date newer than workerd supports (clamped)', async () => {
    await runtime.deploy(spec('future', origin.url, { name: 'future', compatibilityDate: '2999-01-01' }));
    assert.equal((JSON.parse((await send(port, 'future.sandbox.workers.localhost', '/')).text) as Json).greeting, 'future');
    await runtime.remove('future');
  });

  it('removes a script', async () => {
    await runtime.deploy(spec('gone', origin.url, { name: 'temp' }));
    assert.equal((await send(port, 'temp.x', '/')).status, 200);
    await runtime.remove('temp');
    assert.equal((await send(port, 'temp.x', '/')).status, 404);
    await runtime.remove('temp');
  });

  it('sends subrequests through `outbound` when given', async () => {
    const seen: string[] = [];
    const bridged = await createWorkerRuntime({
      port: 0,
      outboundScheme: 'http',
      outbound: async (request) => {
        seen.push(`${request.method} ${request.url} ${request.headers.get('x-via')}`);
        return fetch(request);
      },
    });
    try {
      await bridged.deploy(spec('bridged', origin.url));
      const res = await send(Number(new URL(bridged.url).port), HOST, '/via', { method: 'POST', body: 'abc' });
      assert.equal((JSON.parse(res.text) as Json).origin, 'POST /via via=worker body=abc');
      assert.deepEqual(seen, [`POST ${origin.url}/via worker`]);
    } finally {
      await bridged.close();
    }
  });

  it("a subrequest that `outbound` cannot complete rejects the Worker's fetch, as on Cloudflare", async () => {
    const probing = await createWorkerRuntime({ port: 0, outbound: async () => Promise.reject(new Error('connect ECONNREFUSED')) });
    const script =
      'export default { async fetch() { try { const r = await fetch("https://down.dynia.test/"); return new Response("resolved " + r.status); } catch (e) { return new Response("rejected"); } } };';
    try {
      await probing.deploy({
        name: 'probe',
        mainModule: 'w.mjs',
        modules: [{ name: 'w.mjs', content: script, type: 'esm' }],
        bindings: {},
      });
      assert.equal((await send(Number(new URL(probing.url).port), 'probe.sandbox.workers.localhost', '/')).text, 'rejected');
    } finally {
      await probing.close();
    }
  });
});

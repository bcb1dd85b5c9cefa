/**
 * The sandbox WorkerRuntime with what active health needs: KV bindings in Miniflare's KV storage shared with
 * the emulator's KvStore, scheduled handlers run on demand, and WebSocket upgrades in through the listener and
 * out through the outbound proxy.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { MiniflareKvStore } from '../../sandbox/workers/kv-store.js';
import { createWorkerRuntime, type LocalWorkerRuntime } from '../../sandbox/workers/runtime.js';

const WORKER = `
export default {
  async fetch(request, env) {
    if (request.headers.get('upgrade') === 'websocket') return fetch('http://echo.test/ws', { headers: { upgrade: 'websocket' } });
    return new Response(await env.KV.get('greeting') ?? 'none');
  },
  async scheduled(controller, env) { await env.KV.put('greeting', 'from cron ' + controller.cron); },
};`;

describe('sandbox Worker runtime: KV, scheduled, WebSockets', () => {
  let dir: string;
  let runtime: LocalWorkerRuntime;
  let kv: MiniflareKvStore;
  let echoPort: number;
  const closers: Array<() => unknown> = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dynia-rt-kv-'));
    const server = createServer((_req, res) => res.end('plain'));
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo:${data}`)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    echoPort = (server.address() as AddressInfo).port;
    closers.push(() => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      server.close();
    });
    runtime = await createWorkerRuntime({
      port: 0,
      kvDir: dir,
      outboundScheme: 'http',
      outbound: async () => new Response('outbound', { status: 200 }),
      // Every upgrade goes to the local echo server, whatever the host.
      outboundConnect: () => ({ socket: connect(echoPort, '127.0.0.1'), event: 'connect' }),
    });
    kv = new MiniflareKvStore(dir);
    await runtime.deploy({
      name: 'slb',
      mainModule: 'w.mjs',
      modules: [{ name: 'w.mjs', content: WORKER, type: 'esm' }],
      bindings: {},
      kvNamespaces: { KV: 'ns-1' },
    });
  });

  after(async () => {
    for (const close of closers) await close();
    await runtime.close();
    await kv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares KV values between the API side and the Worker, and runs scheduled() on demand', async () => {
    const port = new URL(runtime.url).port;
    const read = () =>
      new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/', headers: { host: 'slb.sandbox.workers.localhost' } }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d)).on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
    await kv.put('ns-1', 'greeting', { value: new TextEncoder().encode('from the API') });
    assert.match(await read(), /from the API/);
    assert.equal(await runtime.scheduled!('slb', '*/5 * * * *'), 'ok');
    assert.equal(new TextDecoder().decode((await kv.get('ns-1', 'greeting'))!.value), 'from cron */5 * * * *');
    assert.match(await read(), /from cron/);
  });

  it('carries a WebSocket from the listener through the Worker to the origin and back', async () => {
    const port = new URL(runtime.url).port;
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { host: 'slb.sandbox.workers.localhost' } });
    await once(socket, 'open');
    socket.send('ping');
    const [data] = await once(socket, 'message');
    assert.equal(String(data), 'echo:ping');
    socket.close();
  });
});

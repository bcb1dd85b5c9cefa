/** WebSocket upgrades through the Worker in real workerd: echo both ways, failover only before the upgrade. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { closedOriginUrl, failWith, startOrigin, startWorker, type RunningWorker, closeAtEnd } from './helpers.js';

interface WsOrigin {
  url: string;
  upgrades: http.IncomingMessage[];
}

/** An http origin that upgrades every request: `echo` answers each message as `<name>:<message>`, `hangup` closes after the first one. */
async function wsOrigin(name: string, behaviour: 'echo' | 'hangup' = 'echo'): Promise<WsOrigin> {
  const server = http.createServer((_req, res) => res.end('not a websocket request'));
  const wss = new WebSocketServer({ server });
  const upgrades: http.IncomingMessage[] = [];
  wss.on('connection', (socket, req) => {
    upgrades.push(req);
    socket.on('message', (data) => {
      if (behaviour === 'hangup') socket.terminate();
      else socket.send(`${name}:${data.toString()}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeAtEnd(() => {
    for (const client of wss.clients) client.terminate();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, upgrades };
}

async function worker(origins: string[]): Promise<RunningWorker> {
  const running = await startWorker({ ORIGINS: JSON.stringify(origins), FAIL_COOLDOWN_MS: '0' });
  closeAtEnd(running.close);
  return running;
}

async function connect(base: URL, path = '/ws'): Promise<{ socket: WebSocket; response: http.IncomingMessage }> {
  const socket = new WebSocket(new URL(path, base).href.replace(/^http/, 'ws'), ['chat']);
  let response: http.IncomingMessage | undefined;
  socket.once('upgrade', (res) => (response = res)); // emitted just before 'open', in the same tick
  await once(socket, 'open');
  closeAtEnd(() => socket.terminate());
  return { socket, response: response! };
}

async function roundTrip(socket: WebSocket, message: string): Promise<string> {
  socket.send(message);
  const [data] = await once(socket, 'message');
  return String(data);
}

describe('WebSocket through the Worker', () => {
  it('echoes messages both ways, with the sub-protocol, the public host and the client address forwarded', async () => {
    const origin = await wsOrigin('a');
    const { url } = await worker([origin.url]);
    const { socket, response } = await connect(url, '/ws?room=1');
    assert.equal(response.headers['x-dynia-origin'], origin.url);
    assert.equal(response.headers['sec-websocket-protocol'], 'chat');
    assert.equal(await roundTrip(socket, 'hello'), 'a:hello');
    assert.equal(await roundTrip(socket, 'again'), 'a:again');
    assert.equal(origin.upgrades[0]!.url, '/ws?room=1');
    assert.equal(origin.upgrades[0]!.headers['x-forwarded-host'], url.host);
    socket.close(1000, 'bye');
    const [code] = await once(socket, 'close');
    assert.equal(code, 1000);
  });

  it('fails over to the next origin when one cannot be reached or answers 503 before the upgrade', async () => {
    const live = await wsOrigin('live');
    const unavailable = await startOrigin('busy', failWith(503));
    closeAtEnd(unavailable.close);
    const { url } = await worker([await closedOriginUrl(), unavailable.url, live.url]);
    for (let i = 0; i < 3; i++) {
      const { socket, response } = await connect(url);
      assert.equal(response.headers['x-dynia-origin'], live.url);
      assert.equal(await roundTrip(socket, `m${i}`), `live:m${i}`);
      socket.close();
    }
    assert.equal(live.upgrades.length, 3);
  });

  it('does not fail over once upgraded: an origin that hangs up closes the client connection', async () => {
    const hangup = await wsOrigin('hangup', 'hangup');
    const other = await wsOrigin('other');
    const { url } = await worker([hangup.url, other.url]);
    // Round robin starts at a random offset: connect until the hanging-up origin is the one picked.
    let socket: WebSocket | undefined;
    for (let i = 0; i < 4 && socket === undefined; i++) {
      const connection = await connect(url);
      if (connection.response.headers['x-dynia-origin'] === hangup.url) socket = connection.socket;
      else connection.socket.close();
    }
    assert.ok(socket, 'the hanging-up origin was picked');
    const upgradesBefore = other.upgrades.length;
    socket.send('bye');
    const [code] = await once(socket, 'close');
    assert.notEqual(code, 1000);
    assert.equal(other.upgrades.length, upgradesBefore, 'no new upgrade went to the other origin');
  });

  it('answers 503 when no origin completes the upgrade', async () => {
    const { url } = await worker([await closedOriginUrl()]);
    const socket = new WebSocket(new URL('/ws', url).href.replace(/^http/, 'ws'));
    socket.on('error', () => undefined); // terminate() below reports the aborted handshake
    const [, response] = (await once(socket, 'unexpected-response')) as [unknown, http.IncomingMessage];
    assert.equal(response.statusCode, 503);
    socket.terminate();
  });
});

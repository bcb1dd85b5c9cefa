/** WebSocket upgrades: the handshake may fail over to the next origin; once upgraded, the runtime relays both ways. */
import { attempt } from './attempt.js';
import type { Settings } from './config.js';
import { toClientHeaders, toOriginHeaders } from './headers.js';
import type { PassiveHealth } from './health.js';
import { noOriginAvailable } from './replies.js';
import { RETRY_STATUSES } from './replay.js';
import { upstreamUrl } from './upstream-url.js';

/** Workers runtime additions to Response: the upgraded socket, on a 101 from fetch and in a 101 we return. */
type WithSocket = { webSocket?: unknown };

/** Handshake headers the runtime makes itself for its own connection to the origin. */
const HANDSHAKE = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-accept'];

export function isWebSocketUpgrade(request: Request): boolean {
  return request.method === 'GET' && (request.headers.get('upgrade') ?? '').trim().toLowerCase() === 'websocket';
}

/**
 * Tries the candidates in order until one completes the upgrade (101). A connection error, a timeout or a
 * 502/503/504 moves on to the next origin (nothing has reached the app yet); any other answer goes to the client.
 */
export async function proxyWebSocket(
  request: Request,
  settings: Settings,
  health: PassiveHealth,
  candidates: readonly string[],
): Promise<Response> {
  const url = new URL(request.url);
  const headers = toOriginHeaders(request.headers, {
    clientIp: request.headers.get('cf-connecting-ip'),
    proto: url.protocol.slice(0, -1),
    host: url.host,
  });
  for (const name of HANDSHAKE) headers.delete(name);
  headers.set('upgrade', 'websocket');
  let attempts = 0;
  for (const origin of candidates) {
    attempts++;
    const outcome = await attempt(upstreamUrl(origin, url), 'GET', headers, { plan: 'none' }, settings.timeoutMs);
    const socket = outcome.kind === 'response' ? (outcome.response as Response & WithSocket).webSocket : undefined;
    if (outcome.kind === 'response' && socket) {
      health.markServed(origin);
      const out = new Headers({ 'x-dynia-origin': origin, 'x-dynia-attempts': String(attempts) });
      const protocol = outcome.response.headers.get('sec-websocket-protocol');
      if (protocol !== null) out.set('sec-websocket-protocol', protocol);
      return new Response(null, { status: 101, webSocket: socket, headers: out } as ResponseInit & WithSocket);
    }
    if (outcome.kind === 'response' && !RETRY_STATUSES.has(outcome.response.status)) {
      health.markServed(origin);
      const { status, statusText, body } = outcome.response;
      return new Response(body, { status, statusText, headers: toClientHeaders(outcome.response.headers, origin, attempts) });
    }
    health.markFailed(origin, Date.now(), settings.cooldownMs);
    if (outcome.kind === 'response') await outcome.response.body?.cancel();
  }
  return noOriginAvailable(attempts, settings.cooldownMs);
}

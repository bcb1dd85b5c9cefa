/** Sends one client request to the origins: pick, forward, fail over, answer. */
import { attempt, type OutgoingBody } from './attempt.js';
import type { Settings } from './config.js';
import { toClientHeaders, toOriginHeaders } from './headers.js';
import type { PassiveHealth } from './health.js';
import { clientBodyBroken, noOriginAvailable, notReplayableFailure } from './replies.js';
import { canReplay, planBody, RETRY_STATUSES } from './replay.js';
import { orderCandidates, type RoundRobin } from './selection.js';
import { upstreamUrl } from './upstream-url.js';
import { isWebSocketUpgrade, proxyWebSocket } from './websocket.js';

export interface IsolateState {
  rotation: RoundRobin;
  health: PassiveHealth;
}

/** `sharedDown`: origins the active probes found down (see shared-view.ts). */
export async function proxy(request: Request, settings: Settings, state: IsolateState, sharedDown: ReadonlySet<string>): Promise<Response> {
  if (isWebSocketUpgrade(request)) {
    return proxyWebSocket(
      request,
      settings,
      state.health,
      orderCandidates(settings.origins, state.rotation.next(), state.health, Date.now(), sharedDown),
    );
  }
  const url = new URL(request.url);
  const method = request.method;
  const headers = toOriginHeaders(request.headers, {
    clientIp: request.headers.get('cf-connecting-ip'),
    proto: url.protocol.slice(0, -1),
    host: url.host,
  });
  const body = await readBody(request);
  const replayable = canReplay(method, body.plan);
  const candidates = orderCandidates(settings.origins, state.rotation.next(), state.health, Date.now(), sharedDown);

  let attempts = 0;
  for (const origin of replayable ? candidates : candidates.slice(0, 1)) {
    attempts++;
    const outcome = await attempt(upstreamUrl(origin, url), method, headers, body, settings.timeoutMs);
    if (outcome.kind === 'client') return clientBodyBroken(attempts);
    if (outcome.kind === 'response' && !RETRY_STATUSES.has(outcome.response.status)) {
      state.health.markServed(origin);
      return forClient(outcome.response, origin, attempts);
    }
    state.health.markFailed(origin, Date.now(), settings.cooldownMs);
    if (!replayable) {
      return outcome.kind === 'response' ? forClient(outcome.response, origin, attempts) : notReplayableFailure(outcome.kind, attempts);
    }
    if (outcome.kind === 'response') await outcome.response.body?.cancel();
  }
  return noOriginAvailable(attempts, settings.cooldownMs);
}

async function readBody(request: Request): Promise<OutgoingBody> {
  const length = request.headers.get('content-length');
  const plan = planBody(request.method, request.body !== null, length);
  if (plan === 'none') return { plan };
  if (plan === 'buffer') return { plan, bytes: await request.arrayBuffer() };
  return { plan, stream: request.body as ReadableStream<Uint8Array>, length: length === null ? null : Number(length) };
}

function forClient(response: Response, origin: string, attempts: number): Response {
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: toClientHeaders(response.headers, origin, attempts),
  });
}

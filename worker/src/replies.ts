/** The Worker's own answers. Bodies name no origin, address or setting: only what the client needs. */

export function noOriginAvailable(attempts: number, retryAfterMs: number): Response {
  return reply(
    503,
    attempts,
    {
      error: 'no_origin_available',
      message: 'No origin could serve this request right now. Please retry shortly.',
    },
    { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  );
}

/** A request that cannot be replayed met a dead or silent origin; it may or may not have been processed. */
export function notReplayableFailure(kind: 'network' | 'timeout', attempts: number): Response {
  return kind === 'timeout'
    ? reply(504, attempts, {
        error: 'origin_timeout',
        message: 'The origin did not answer in time; the request was not retried because it cannot be replayed safely.',
      })
    : reply(502, attempts, {
        error: 'origin_unreachable',
        message: 'The origin could not be reached; the request was not retried because it cannot be replayed safely.',
      });
}

/** The client's upload broke off; the origin is not blamed. Usually nobody is left to read this. */
export function clientBodyBroken(attempts: number): Response {
  return reply(400, attempts, { error: 'request_body_incomplete', message: 'The request body ended before it was complete.' });
}

export function misconfigured(): Response {
  return reply(500, 0, { error: 'misconfigured', message: 'The load balancer is misconfigured.' });
}

function reply(status: number, attempts: number, body: { error: string; message: string }, extra: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify(body)}\n`, {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-dynia-attempts': String(attempts),
      ...extra,
    },
  });
}

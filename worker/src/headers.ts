/** Header rewriting between client, Worker and origin. Pure. */

/** RFC 9110 §7.6.1 connection-specific headers, plus the legacy Proxy-Connection. Never forwarded. */
const HOP_BY_HOP: readonly string[] = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

export interface ClientFacts {
  /** CF-Connecting-IP as set by Cloudflare's edge, if present. */
  clientIp: string | null;
  /** Scheme the client used: `http` or `https`. */
  proto: string;
  /** Host the client asked for (the public site name). */
  host: string;
}

/**
 * Headers sent to the origin. `Host` is dropped: the runtime derives it from the origin URL, so the origin
 * sees its own node FQDN (Caddy on the node selects its site and certificate by that name); the public name
 * travels in X-Forwarded-Host. X-Forwarded-For is replaced by CF-Connecting-IP, the one address Cloudflare
 * vouches for; without it (not behind Cloudflare) whatever came in is passed on untouched.
 */
export function toOriginHeaders(incoming: Headers, client: ClientFacts): Headers {
  const headers = withoutHopByHop(incoming);
  headers.delete('host');
  if (client.clientIp !== null) headers.set('x-forwarded-for', client.clientIp);
  headers.set('x-forwarded-proto', client.proto);
  headers.set('x-forwarded-host', client.host);
  return headers;
}

/** Headers returned to the client, tagged with which origin served and after how many attempts. */
export function toClientHeaders(fromOrigin: Headers, origin: string, attempts: number): Headers {
  const headers = withoutHopByHop(fromOrigin);
  headers.set('x-dynia-origin', origin);
  headers.set('x-dynia-attempts', String(attempts));
  return headers;
}

/** A copy without hop-by-hop headers, including any the Connection header names. */
export function withoutHopByHop(source: Headers): Headers {
  const headers = new Headers(source);
  const named = (source.get('connection') ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const name of [...HOP_BY_HOP, ...named]) headers.delete(name);
  return headers;
}

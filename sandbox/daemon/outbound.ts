/**
 * Outbound fetch of the Worker runtime: the SLB Worker reaches origins like https://web-1.dynia.test the way a
 * Cloudflare edge would, resolving names through the sandbox's resolvers and trusting the sandbox CA bundle
 * (pebble's root, re-read whenever pebble restarts and the bundle changes).
 */
import { Resolver } from 'node:dns/promises';
import { readFileSync, statSync } from 'node:fs';
import { isIP, type LookupFunction } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Agent, request } from 'undici';

export interface OutboundOptions {
  /** Resolver addresses, tried in order. */
  resolvers: readonly string[];
  /** PEM bundle of trusted CAs. */
  caFile: string;
}

/** Request headers undici manages itself (or rejects). */
const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'expect',
  'proxy-connection',
  'te',
  'trailer',
]);
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export function createOutbound(opts: OutboundOptions): (request: Request) => Promise<Response> {
  const lookup = sandboxLookup(opts.resolvers);
  let agent: { mtimeMs: number; dispatcher: Agent } | undefined;
  const dispatcher = (): Agent => {
    const mtimeMs = statSync(opts.caFile).mtimeMs;
    if (agent?.mtimeMs !== mtimeMs) {
      void agent?.dispatcher.close();
      agent = { mtimeMs, dispatcher: new Agent({ connect: { ca: readFileSync(opts.caFile, 'utf8'), lookup } }) };
    }
    return agent.dispatcher;
  };

  return async (req: Request): Promise<Response> => {
    const headers: Record<string, string> = {};
    req.headers.forEach((value, key) => {
      if (!HOP_BY_HOP.has(key)) headers[key] = value;
    });
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.from(await req.arrayBuffer());
    const res = await request(req.url, {
      method: req.method as 'GET',
      headers,
      body,
      dispatcher: dispatcher(),
      signal: req.signal,
    });
    const out = new Headers();
    for (const [key, value] of Object.entries(res.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) out.append(key, v);
    }
    const nullBody = NULL_BODY_STATUS.has(res.statusCode) || req.method === 'HEAD';
    if (nullBody) await res.body.dump();
    return new Response(nullBody ? null : (res.body as unknown as ReadableStream), { status: res.statusCode, headers: out });
  };
}

/** TLS connections for upgrades (WebSockets) from the Workers to origins: same DNS and trust as `createOutbound`. */
export function createOutboundConnect(opts: OutboundOptions) {
  const lookup = sandboxLookup(opts.resolvers);
  return (host: string, port: number) => ({
    socket: tlsConnect({ host, port, servername: host, ca: readFileSync(opts.caFile, 'utf8'), lookup, ALPNProtocols: ['http/1.1'] }),
    event: 'secureConnect' as const,
  });
}

/** net/tls lookup that asks only the sandbox resolvers (IPv4), never this machine's DNS. */
export function sandboxLookup(servers: readonly string[]): LookupFunction {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([...servers]);
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const answer = (address: string) => (options?.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4));
    if (isIP(hostname) === 4) return answer(hostname);
    if (hostname === 'localhost') return answer('127.0.0.1');
    resolver.resolve4(hostname).then(
      (addresses) => answer(addresses[0]),
      (error: NodeJS.ErrnoException) =>
        callback(Object.assign(new Error(`sandbox DNS: ${hostname}: ${error.code ?? error.message}`), { code: 'ENOTFOUND' })),
    );
  }) as LookupFunction;
}

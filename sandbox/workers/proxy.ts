/** Streams one HTTP request to a Worker's local socket and its answer back, Host and body untouched. */
import { request as httpRequest, type Agent, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';

/** Per-connection headers belong to each hop, not to the request (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/** Like Cloudflare's edge, the listener tells the Worker who the client is (overriding any client-sent value). */
function requestHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
  const client = req.socket.remoteAddress;
  if (client) headers['cf-connecting-ip'] = client.replace(/^::ffff:/, '');
  return headers;
}

function responseHeaders(raw: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) kept.push(raw[i]!, raw[i + 1]!);
  return kept;
}

export interface ProxyTarget {
  port: number;
  agent: Agent;
}

/** `onEnd` runs once, when the exchange is over (answered, failed or abandoned by the client). */
export function proxyRequest(req: IncomingMessage, res: ServerResponse, target: ProxyTarget, onEnd: () => void): void {
  let ended = false;
  const end = () => {
    if (!ended) (ended = true), onEnd();
  };
  res.once('close', end);
  const upstream = httpRequest(
    { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: requestHeaders(req), agent: target.agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer.rawHeaders));
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Worker unreachable: ${error.message}\n`);
    } else res.destroy(error);
  });
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

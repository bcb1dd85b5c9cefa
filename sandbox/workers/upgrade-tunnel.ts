/**
 * HTTP/1.1 upgrades (WebSockets) as raw byte tunnels: the request head is written to the next hop as is (with
 * `headers` instead of the client's), then bytes flow both ways until either side closes. Used on the way in
 * (listener → the Worker's socket) and on the way out (the Worker's subrequest → the origin).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export function requestHead(req: IncomingMessage, headers: Array<[string, string]>): string {
  return `${req.method} ${req.url} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

/** The client's headers in their order, minus `drop` (lower case), plus `extra`. */
export function headerPairs(
  req: IncomingMessage,
  drop: ReadonlySet<string> = new Set(),
  extra: Array<[string, string]> = [],
): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (!drop.has(name.toLowerCase())) pairs.push([name, req.rawHeaders[i + 1]!]);
  }
  return [...pairs, ...extra];
}

/**
 * Joins `client` and `upstream` once `upstream` is connected (`connectEvent`); either side failing or closing
 * ends both. `onEnd` runs once.
 */
export function tunnel(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  upstream: Duplex,
  connectEvent: 'connect' | 'secureConnect',
  headers: Array<[string, string]>,
  onEnd: () => void = () => undefined,
): void {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    client.destroy();
    upstream.destroy();
    onEnd();
  };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
  upstream.once(connectEvent, () => {
    upstream.write(requestHead(req, headers));
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
}

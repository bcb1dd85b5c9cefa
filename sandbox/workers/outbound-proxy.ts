/**
 * The Workers' outbound network in the sandbox: a loopback HTTP server that workerd uses as an `external`
 * service. Plain requests go to the `outbound` function (a failure drops the connection, so the Worker's
 * fetch() rejects as on Cloudflare); upgrade requests (WebSockets) are tunnelled to the origin over `connect`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { nodeOutboundService, type Outbound } from './outbound.js';
import { headerPairs, tunnel } from './upgrade-tunnel.js';

/** Opens a connection to an origin for an upgrade; `event` is the one that says it is ready. */
export type OutboundConnect = (host: string, port: number) => { socket: Duplex; event: 'connect' | 'secureConnect' };

export interface OutboundProxy {
  /** `host:port` for Miniflare's `outboundService: { external: { address } }`. */
  address: string;
  close(): Promise<void>;
}

/** Headers workerd adds for its own hop; not part of the Worker's request. */
const WORKERD_HEADERS = new Set(['cf-worker']);

export async function startOutboundProxy(outbound: Outbound, scheme: 'http' | 'https', connect?: OutboundConnect): Promise<OutboundProxy> {
  const server: Server = createServer(nodeOutboundService(outbound, scheme).node);
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    if (!connect || !req.headers.host) return void socket.destroy();
    const url = new URL(`${scheme}://${req.headers.host}`);
    const port = Number(url.port || (scheme === 'https' ? 443 : 80));
    let upstream: ReturnType<OutboundConnect>;
    try {
      upstream = connect(url.hostname, port);
    } catch {
      return void socket.destroy();
    }
    tunnel(req, socket, head, upstream.socket, upstream.event, headerPairs(req, WORKERD_HEADERS));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

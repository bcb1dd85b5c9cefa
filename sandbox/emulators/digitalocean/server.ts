/**
 * A faithful local emulator of the DigitalOcean API v2 subset Dynia uses (account, SSH keys, actions,
 * droplets, regions, sizes), backed by a HostDriver that starts the machines behind the droplets.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostDriver } from '../ports.js';
import { adoptExistingHosts } from './adopt.js';
import { createControlHandler } from '../controls/handler.js';
import { ApiError } from './api-error.js';
import { createApiHandler } from './api.js';
import { DropletStore } from './droplet-store.js';
import { FaultQueue } from '../controls/faults.js';
import { accountRoutes } from './handlers/account.js';
import { actionRoutes } from './handlers/actions.js';
import { firewallListRoutes } from './handlers/firewall-list.js';
import { catalogRoutes } from './handlers/catalog.js';
import { dropletRoutes } from './handlers/droplets.js';
import { sshKeyRoutes } from './handlers/ssh-keys.js';
import { RateLimiter } from './rate-limit.js';
import { RequestLog } from '../controls/request-log.js';
import { SshKeyStore } from './ssh-key-store.js';

export interface DigitalOceanEmulatorOptions {
  /** 0 picks a free port; the returned `url` has the real one. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The only bearer token the API accepts. */
  token: string;
  hosts: HostDriver;
  /** Keys already on the account at start. */
  sshKeys: Array<{ name: string; publicKey: string }>;
}

export interface RunningDigitalOceanEmulator {
  /** e.g. `http://127.0.0.1:4780` (no trailing slash); API paths start with `/v2/`. */
  url: string;
  close(): Promise<void>;
}

export async function startDigitalOceanEmulator(opts: DigitalOceanEmulatorOptions): Promise<RunningDigitalOceanEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const keys = new SshKeyStore();
  for (const key of opts.sshKeys) keys.add(key.name, key.publicKey);
  const store = new DropletStore(opts.hosts);
  await adoptExistingHosts(opts.hosts, store);

  const faults = new FaultQueue();
  const log = new RequestLog();
  const admin = createControlHandler(faults, log, (status, message) => new ApiError(status, message).envelope());
  let url = '';
  const api = createApiHandler({
    token: opts.token,
    routes: [
      ...accountRoutes(),
      ...sshKeyRoutes(keys),
      ...actionRoutes(store),
      ...dropletRoutes(store, keys, opts.hosts),
      ...catalogRoutes(),
      ...firewallListRoutes(),
    ],
    limiter: new RateLimiter(),
    faults,
    log,
    fallbackBase: () => url,
  });

  const server = createServer((req, res) => void (req.url?.startsWith('/__sandbox/') ? admin : api)(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hanging faults and keep-alive clients would otherwise hold close() open forever.
        server.closeAllConnections();
      }),
  };
}

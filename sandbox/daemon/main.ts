/**
 * The sandbox daemon, started detached by `dynia sandbox up` (pid file + log in the sandbox dir):
 *   DigitalOcean emulator  127.0.0.1:4780  (droplets are node-host containers)
 *   Cloudflare emulator    127.0.0.1:4781  (DNS records go to the sandbox resolvers after their delays)
 *   Worker runtime         127.0.0.1:4782  (workerd; outbound fetch through the sandbox DNS and CA)
 *   admin                  127.0.0.1:4783  (/health, /dns-delay)
 * SIGTERM or SIGINT closes everything and exits.
 */
import { startCloudflareEmulator } from '../emulators/cloudflare/server.js';
import { startDigitalOceanEmulator } from '../emulators/digitalocean/server.js';
import { createWorkerRuntime } from '../workers/runtime.js';
import { DnsPublisher } from '../dns/publisher.js';
import { jsonFilePersistence } from './dns-persistence.js';
import { DockerHostDriver } from '../hosts/docker-hosts.js';
import { IptablesPacketFilter } from '../hosts/iptables-filter.js';
import type { FirewallRecord } from '../emulators/digitalocean/firewall-store.js';
import { SANDBOX } from '../layout.js';
import { files } from '../paths.js';
import { clientPublicKey, readSecrets } from '../secrets.js';
import { startAdminServer } from './admin.js';
import { createOutbound, createOutboundConnect } from './outbound.js';
import { MiniflareKvStore } from '../workers/kv-store.js';

const host = '127.0.0.1';
const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);

async function main(): Promise<void> {
  const secrets = readSecrets();
  const closers: Array<() => Promise<void> | void> = [];
  const shutdown = async (signal: string) => {
    log(`${signal}: stopping`);
    for (const close of closers.reverse()) await Promise.resolve(close()).catch((e: Error) => log(`close: ${e.message}`));
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.on('unhandledRejection', (error) => log(`unhandled rejection: ${(error as Error)?.stack ?? String(error)}`));

  const dns = new DnsPublisher({
    resolverDirs: SANDBOX.resolverIps.map((_, i) => files.resolverDir(i)),
    delaysMs: SANDBOX.dnsDelayMs,
    onError: (error) => log(`dns publish failed: ${(error as Error).message}`),
  });
  closers.push(() => dns.close());

  const workers = await createWorkerRuntime({
    port: SANDBOX.ports.workers,
    host,
    outbound: createOutbound({ resolvers: SANDBOX.resolverIps, caFile: files.caBundle() }),
    outboundConnect: createOutboundConnect({ resolvers: SANDBOX.resolverIps, caFile: files.caBundle() }),
    kvDir: files.workersKv(),
  });
  closers.push(() => workers.close());
  const kv = new MiniflareKvStore(files.workersKv());
  closers.push(() => kv.close());

  const cloudflare = await startCloudflareEmulator({
    port: SANDBOX.ports.cloudflare,
    host,
    token: secrets.cloudflareToken,
    accountId: SANDBOX.accountId,
    zones: [{ id: SANDBOX.zoneId, name: SANDBOX.zone }],
    workersSubdomain: SANDBOX.workersSubdomain,
    dns,
    // Records live as long as the sandbox (removed by `down`), so a daemon restart keeps every node's name.
    dnsPersistence: jsonFilePersistence(files.cloudflareDns()),
    workers,
    kv,
    kvPersistence: jsonFilePersistence(files.cloudflareKvNamespaces()),
    cron: true,
    log,
  });
  closers.push(() => cloudflare.close());

  const digitalocean = await startDigitalOceanEmulator({
    port: SANDBOX.ports.digitalocean,
    host,
    token: secrets.digitaloceanToken,
    hosts: new DockerHostDriver(),
    // Cloud Firewalls are enforced on this machine's packet filter, outside the node hosts, like the cloud does.
    packetFilter: new IptablesPacketFilter(),
    firewallPersistence: jsonFilePersistence<FirewallRecord>(files.digitaloceanFirewalls()),
    sshKeys: [{ name: 'sandbox-key', publicKey: clientPublicKey() }],
  });
  closers.push(() => digitalocean.close());

  const services = { digitalocean: digitalocean.url, cloudflare: cloudflare.url, workers: workers.url };
  const admin = await startAdminServer({
    port: SANDBOX.ports.admin,
    host,
    services,
    getDelays: () => dns.currentDelays(),
    setDelays: (ms) => {
      dns.setDelays(ms);
      log(`dns delays now ${ms.join(',')} ms`);
    },
  });
  closers.push(() => admin.close());
  log(
    `ready pid=${process.pid} ${Object.entries(services)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')} admin=${admin.url}`,
  );
}

main().catch((error: Error) => {
  log(`failed to start: ${error.stack ?? error.message}`);
  process.exit(1);
});

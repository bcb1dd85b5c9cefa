/**
 * The local sandbox that stands in for the cloud: `up` (idempotent; a warm run only checks), `down`, `env`, `status`.
 * Order matters in `up`: dockerd, then the egress guard BEFORE any container starts, then images, network and the
 * services, then the daemon (DigitalOcean + Cloudflare emulators, workerd, admin).
 */
import { rmSync } from 'node:fs';
import { ensurePebble } from './acme/pebble.js';
import { daemonPid, defaultDaemonEntry, startDaemon, stopDaemon, type DaemonEntry } from './daemon/control.js';
import { ensureResolvers } from './dns/resolvers.js';
import { docker, dockerAnswers, inspectContainers, type ContainerState } from './docker.js';
import { renderExports, sandboxEnvVars } from './env.js';
import { run } from './exec.js';
import { DROPLET_ID_LABEL, DROPLET_LABEL, decodeRecord } from './hosts/droplet-host.js';
import { removePacketFilter } from './hosts/iptables-filter.js';
import { SANDBOX, sandboxDir } from './layout.js';
import { ensureNetwork, removeNetwork } from './network.js';
import { files, scriptPath } from './paths.js';
import { ensureRegistry, seedRegistry } from './registry/registry.js';
import { ensureClientKey, ensureSandboxDir, ensureSecrets, readSecrets } from './secrets.js';
import { removeZoneFiles } from './dns/zone-files.js';
import { sandboxTrust } from './trust-bundle.js';

export { pushImage } from './registry/registry.js';
export { DnsPublisher } from './dns/publisher.js';
export { DockerHostDriver } from './hosts/docker-hosts.js';
export type { DaemonEntry } from './daemon/control.js';

export interface SandboxUpOptions {
  onProgress?(message: string): void;
  /** How to start the daemon (default: daemon/main.ts under tsx from sources, sandbox-daemon.js from a bundle);
   *  false: everything but the daemon (tests of the hosts driver and the resolvers). */
  daemon?: DaemonEntry | false;
  /** Run install-deps.sh first (default true; a warm run takes ~50 ms). */
  installDeps?: boolean;
}

export interface SandboxInfo {
  dir: string;
  env: Record<string, string>;
  daemonPid: number | null;
  /** Each step in order, with what it did and how long it took. */
  steps: Array<{ step: string; ms: number; detail: string }>;
  totalMs: number;
}

const SERVICES = [SANDBOX.containers.registry, ...SANDBOX.containers.resolvers, SANDBOX.containers.pebble];

export async function sandboxUp(opts: SandboxUpOptions = {}): Promise<SandboxInfo> {
  const t0 = Date.now();
  const steps: SandboxInfo['steps'] = [];
  const step = async (name: string, action: () => Promise<string>): Promise<void> => {
    const start = Date.now();
    const detail = await action();
    const ms = Date.now() - start;
    steps.push({ step: name, ms, detail });
    opts.onProgress?.(`${name}: ${detail} (${ms} ms)`);
  };
  const script = async (name: string, ...args: string[]) => (await run('bash', [scriptPath(name), ...args])).stdout.trim();

  ensureSandboxDir();
  if (opts.installDeps !== false) await step('packages', async () => (await script('install-deps.sh')) || 'present');
  await step('dockerd', async () => (await script('start-dockerd.sh'), 'answering'));
  await step('egress guard', async () => (await script('net-guard.sh'), 'DOCKER-USER drops forwarding to the uplink'));
  await step('images', async () => (await script('build-images.sh')).replaceAll('\n', '; ') || 'up to date');
  await step('network', async () => `${SANDBOX.network} ${await ensureNetwork()}`);
  const infos = await inspectContainers(SERVICES);
  await Promise.all([
    step('registry', async () => {
      const result = await ensureRegistry(infos);
      const pushed = await seedRegistry();
      return `${result}${pushed.length ? `; seeded ${pushed.join(', ')}` : ''}`;
    }),
    step('resolvers', async () => (await ensureResolvers(infos)).join(', ')),
    step('pebble', async () => ensurePebble(infos)),
    step('keys', async () => (await ensureClientKey(), ensureSecrets(), 'present')),
  ]);
  let pid: number | null = null;
  if (opts.daemon !== false) {
    const entry = opts.daemon ?? defaultDaemonEntry();
    await step('daemon', async () => {
      pid = await daemonPid();
      if (pid !== null) return `running (pid ${pid})`;
      pid = await startDaemon(entry);
      return `started (pid ${pid})`;
    });
  }
  return { dir: sandboxDir(), env: sandboxEnvVars(readSecrets()), daemonPid: pid, steps, totalMs: Date.now() - t0 };
}

/** Stops the daemon and removes every sandbox container (services and node hosts, with their volumes) and the
 *  network. Images, keys, tokens and registry data stay for the next `up`. */
export async function sandboxDown(opts: { onProgress?(message: string): void } = {}): Promise<void> {
  const progress = opts.onProgress ?? (() => {});
  progress((await stopDaemon()) ? 'daemon stopped' : 'daemon was not running');
  if (await dockerAnswers()) {
    const ids = (await docker(['ps', '-aq', '--filter', `label=${SANDBOX.label}`])).split('\n').filter(Boolean);
    if (ids.length > 0) await docker(['rm', '-f', '-v', ...ids]);
    progress(`removed ${ids.length} container(s)`);
    const volumes = (await docker(['volume', 'ls', '-q', '--filter', `label=${SANDBOX.label}`])).split('\n').filter(Boolean);
    if (volumes.length > 0) await run('docker', ['volume', 'rm', '-f', ...volumes], { allowFailure: true });
    await removeNetwork();
    progress(`removed network ${SANDBOX.network}`);
  }
  await removePacketFilter();
  progress(`removed firewall chain ${SANDBOX.firewallChain}`);
  removeZoneFiles();
  rmSync(files.cloudflareDns(), { force: true });
  rmSync(files.digitaloceanFirewalls(), { force: true });
  rmSync(files.cloudflareKvNamespaces(), { force: true });
  rmSync(files.workersKv(), { recursive: true, force: true });
}

/** `export` lines for a shell: `eval "$(dynia sandbox env)"`. */
export function sandboxEnv(): string {
  return renderExports(sandboxEnvVars(readSecrets(), sandboxTrust()));
}

export interface SandboxStatus {
  dir: string;
  dockerd: boolean;
  daemonPid: number | null;
  services: Array<{ name: string; state: ContainerState }>;
  droplets: Array<{ dropletId: number; name: string; ip: string; running: boolean }>;
  /** Every service and the daemon run. */
  up: boolean;
}

export async function sandboxStatus(): Promise<SandboxStatus> {
  const dockerd = await dockerAnswers();
  const pid = await daemonPid();
  if (!dockerd) return { dir: sandboxDir(), dockerd, daemonPid: pid, services: [], droplets: [], up: false };
  const infos = await inspectContainers(SERVICES);
  const services = SERVICES.map((name) => ({ name, state: infos.get(name)?.state ?? ('missing' as const) }));
  const out = await docker(['ps', '-a', '--filter', `label=${DROPLET_ID_LABEL}`, '--format', `{{.State}}\t{{.Label "${DROPLET_LABEL}"}}`]);
  const droplets = out
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const [state, label] = line.split('\t');
      const record = decodeRecord(label ?? '');
      return record ? [{ dropletId: record.dropletId, name: record.name, ip: record.ip, running: state === 'running' }] : [];
    });
  const up = pid !== null && services.every((s) => s.state === 'running');
  return { dir: sandboxDir(), dockerd, daemonPid: pid, services, droplets, up };
}

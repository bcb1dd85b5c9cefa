/**
 * Turns configuration into what workflows need: state under its lock, API clients, node sessions. The only
 * place that picks real adapters.
 */
import { readFileSync } from 'node:fs';
import { CloudflareClient } from '../cloud/cloudflare.js';
import { DigitalOceanClient } from '../cloud/digitalocean.js';
import { withCloudflareIds } from '../config/cloudflare-ids.js';
import { loadConfig, type Config } from '../config/config.js';
import { ConfigError } from '../errors.js';
import type { RetryEvent } from '../cloud/http.js';
import { defaultQuery, waitForPropagation } from '../dns/propagation.js';
import type { ResolverAddress } from '../dns/verdict.js';
import { preconnect, probeHttps } from '../health/probe.js';
import type { Agent } from 'undici';
import { SshSession } from '../remote/ssh.js';
import { SessionsAhead } from './sessions-ahead.js';
import { StateStore } from '../state/store.js';
import type { Reporter } from '../lib/steps.js';
import { currentUser } from '../lib/audit.js';
import { systemClock } from '../lib/clock.js';
import type { NodeAddress, NodeSession, Settings, WorkflowDeps } from '../lib/ports.js';
import type { NodeRecord, State } from '../state/schema.js';
import { uploadRecords } from '../state/upload-records.js';
import { createReporter, formatMs } from './output.js';
import type { GlobalOptions } from './types.js';

export function configFor(globals: GlobalOptions): Config {
  return loadConfig(globals.stateDir ? { flags: { dyniaStateDir: globals.stateDir } } : {});
}

export function settingsFrom(config: Config): Settings {
  const rootFile = config.get('dyniaAcmeCaRoot');
  let caRootPem: string | undefined;
  if (rootFile) {
    try {
      caRootPem = readFileSync(rootFile, 'utf8');
    } catch (error) {
      throw ConfigError(`DYNIA_ACME_CA_ROOT ${rootFile} cannot be read: ${(error as Error).message}`);
    }
  }
  const email = config.get('dyniaAcmeEmail');
  return {
    domain: config.require('dyniaDomain'),
    zoneId: config.require('cloudflareZoneId'),
    resolvers: config.require('dyniaDnsResolvers').map(({ ip, port }) => ({ host: ip, port })),
    acme: { ca: config.require('dyniaAcmeCa'), ...(caRootPem ? { caRootPem } : {}), ...(email ? { email } : {}) },
    sshKeyPath: config.require('dyniaSshKey'),
  };
}

const retryNotice = (reporter: Reporter) => (e: RetryEvent) =>
  reporter.warn(`${e.service} ${e.method} ${e.path}: ${e.reason}; retry ${e.retry} in ${formatMs(e.delayMs)}`);

export function digitaloceanClient(config: Config, reporter: Reporter): DigitalOceanClient {
  return new DigitalOceanClient({
    token: config.require('digitaloceanToken'),
    baseUrl: config.require('digitaloceanApiUrl'),
    onRetry: retryNotice(reporter),
  });
}

export function cloudflareClient(config: Config, reporter: Reporter): CloudflareClient {
  return new CloudflareClient({
    token: config.require('cloudflareApiToken'),
    baseUrl: config.require('cloudflareApiUrl'),
    onRetry: retryNotice(reporter),
  });
}

export interface Clients {
  config: Config;
  reporter: Reporter;
  settings: Settings;
  digitalocean: DigitalOceanClient;
  cloudflare: CloudflareClient;
}

/** Validates the configuration before anything else, builds the API clients, and closes them at the end. */
export async function withClients<T>(globals: GlobalOptions, fn: (clients: Clients) => Promise<T>): Promise<T> {
  const given = configFor(globals);
  const reporter = createReporter(globals);
  given.require('dyniaDomain'); // the id lookup below needs it: a missing domain is named first
  const digitalocean = digitaloceanClient(given, reporter);
  const cloudflare = cloudflareClient(given, reporter);
  try {
    // Unset zone/account ids are found from DYNIA_DOMAIN (read-only) and cached before anything changes.
    const config = await withCloudflareIds(given, cloudflare, reporter);
    const settings = settingsFrom(config);
    return await fn({ config, reporter, settings, digitalocean, cloudflare });
  } finally {
    await Promise.all([digitalocean.close(), cloudflare.close()]);
  }
}

/** The real clock and local user (all an audit line needs besides a reporter). */
export const localPorts = (): Pick<WorkflowDeps, 'clock' | 'user'> => ({ clock: systemClock, user: currentUser });

/** The real ports that do not need the cloud or the state: clock, DNS, node sessions, HTTPS probes, the local user. */
export function nodePorts(
  sshKeyPath: string,
  resolvers: readonly ResolverAddress[],
  ahead?: SessionsAhead,
): Pick<WorkflowDeps, 'clock' | 'dns' | 'connect' | 'probe' | 'preconnect' | 'user'> {
  const { clock, user } = localPorts();
  const opened = new Map<string, Agent>();
  return {
    clock,
    dns: { query: defaultQuery, waitForPropagation: (options) => waitForPropagation(options, defaultQuery, clock) },
    connect: (node, onHostKey, options) =>
      (options?.timeoutMs === undefined && ahead?.take(node)) || connectNode(node, sshKeyPath, onHostKey, options),
    probe: (url, timeoutMs = 5000) => {
      const agent = opened.get(url);
      opened.delete(url);
      return probeHttps(url, { resolvers, timeoutMs, ...(agent ? { agent } : {}) });
    },
    preconnect: (url) => {
      if (!opened.has(url)) opened.set(url, preconnect(url, { resolvers }));
    },
    user,
  };
}

/** Every port but the state transaction (state:rebuild holds its own lock). */
export function portsOf(
  { config, reporter, settings, digitalocean, cloudflare }: Clients,
  ahead?: SessionsAhead,
): Omit<WorkflowDeps, 'tx'> {
  return {
    digitalocean,
    cloudflare,
    settings,
    reporter,
    ...nodePorts(settings.sshKeyPath, settings.resolvers, ahead),
    uploads: uploadRecords(config.stateDir),
  };
}

/**
 * Runs a state-changing command: its clients, and the state lock held for the whole run. `ahead` holds the SSH
 * sessions the command opened before (openSessionsAhead), closed here at the end if it did not take them.
 */
export async function withWorkflow<T>(
  command: string,
  globals: GlobalOptions,
  fn: (deps: WorkflowDeps, config: Config) => Promise<T>,
  options: { ahead?: Promise<SessionsAhead | undefined> } = {},
): Promise<T> {
  const ahead = await options.ahead;
  try {
    return await withClients(globals, (clients) =>
      new StateStore(clients.config.stateDir, { onLockTakeover: (message) => clients.reporter.warn(message) }).withLock(command, (tx) =>
        fn({ tx, ...portsOf(clients, ahead) }, clients.config),
      ),
    );
  } finally {
    await ahead?.close();
  }
}

/**
 * Opens SSH sessions to the nodes `pick` chooses from state as it is now, read without the lock, so that their
 * handshakes overlap the command's own loading, checks, lock and plan (sessions-ahead.ts): only their addresses
 * and keys are used, and the plan made under the lock decides what is connected to. Nothing is opened when the
 * settings or the state cannot be read (the command itself then says why). Pass the result to withWorkflow, or
 * close it (closeAhead) when the command ends before.
 */
export async function openSessionsAhead(globals: GlobalOptions, pick: (state: State) => NodeRecord[]): Promise<SessionsAhead | undefined> {
  try {
    const config = configFor(globals);
    const keyPath = config.get('dyniaSshKey');
    if (!keyPath) return undefined;
    const nodes = pick(await new StateStore(config.stateDir).load());
    return new SessionsAhead((node) => connectNode(node, keyPath, () => Promise.resolve()), nodes);
  } catch {
    return undefined;
  }
}

/** Closes what openSessionsAhead opened, for a command that ends before its workflow (its local checks refused). */
export const closeAhead = async (ahead: Promise<SessionsAhead | undefined> | undefined): Promise<void> => (await ahead)?.close();

export async function connectNode(
  node: NodeAddress,
  privateKeyPath: string,
  onHostKey: (key: string) => Promise<void>,
  options: { timeoutMs?: number } = {},
): Promise<NodeSession> {
  const session = await SshSession.connect({
    host: node.ip,
    privateKeyPath,
    nodeName: node.name,
    ...(node.sshHostKey ? { pinnedHostKey: node.sshHostKey } : {}),
    ...(options.timeoutMs ? { readyTimeoutMs: options.timeoutMs } : {}),
  });
  if (!node.sshHostKey) await onHostKey(session.hostKey);
  return session;
}

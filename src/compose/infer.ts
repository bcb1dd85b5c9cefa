import { DyniaError, InputError } from '../errors.js';
import { validateHostname } from '../validate/hostname.js';
import { validatePort } from '../validate/port.js';
import type { ComposeFile, ComposeService } from './parse.js';
import { containerPortOf } from './ports.js';

const ENTRY_LABEL = 'dynia.entry';
const PORT_LABEL = 'dynia.port';
const DOMAIN_LABEL = 'dynia.domain';
const DEFAULT_ENTRY = 'web';

/** Re-raises a validation error with the file position in front. */
function at<T>(where: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof DyniaError) throw new DyniaError(error.kind, `${where}: ${error.message}`, error.hint);
    throw error;
  }
}

const isUdp = (entry: unknown) =>
  typeof entry === 'object' && entry !== null ? (entry as { protocol?: unknown }).protocol === 'udp' : /\/udp$/i.test(String(entry));
const tcpPorts = (list: readonly unknown[]) => list.filter((entry) => !isUdp(entry));

/**
 * The service Caddy routes to. Candidates are the services labelled `dynia.entry=true` and the one named `web`
 * (unless it says `dynia.entry=false`); without any, the only service, else the only service publishing a TCP
 * port. Exactly one must remain, so a file never routes by accident.
 */
export function inferEntryService(file: ComposeFile): ComposeService {
  const flag = (service: ComposeService) => service.labels[ENTRY_LABEL]?.toLowerCase();
  const candidates = file.services.filter((s) => flag(s) === 'true' || (s.name === DEFAULT_ENTRY && flag(s) !== 'false'));
  if (candidates.length > 1) {
    throw InputError(
      `${file.fileName}: more than one service could receive the traffic: ${candidates.map((s) => s.name).join(', ')}.`,
      `Label exactly one with ${ENTRY_LABEL}=true (set ${ENTRY_LABEL}=false on a service named ${DEFAULT_ENTRY} that is not the entry).`,
    );
  }
  const open = file.services.filter((s) => flag(s) !== 'false');
  const publishing = open.filter((s) => tcpPorts(s.ports).length > 0);
  const entry = candidates[0] ?? (open.length === 1 ? open[0] : publishing.length === 1 ? publishing[0] : undefined);
  if (!entry) {
    throw InputError(
      `${file.fileName}: cannot tell which service receives the traffic (services: ${file.services.map((s) => s.name).join(', ')}).`,
      `Label the service that serves HTTP, e.g.:\n  services:\n    ${file.services[0]?.name ?? 'app'}:\n      labels:\n        ${ENTRY_LABEL}: "true"`,
    );
  }
  const at = (...path: (string | number)[]) => file.where(['services', entry.name, ...path]);
  if (entry.networkMode !== undefined) {
    throw InputError(
      `${at('network_mode')}: the entry service ${entry.name} uses network_mode ${entry.networkMode}, so Caddy cannot reach it on the \`edge\` network.`,
      'Remove network_mode from the entry service.',
    );
  }
  if (entry.profiles.length > 0) {
    throw InputError(
      `${at('profiles')}: the entry service ${entry.name} is only started under profile ${entry.profiles.join(', ')}, which Dynia does not activate.`,
      `Remove \`profiles:\` from service ${entry.name}, or label the service that always runs:\n  labels:\n    ${ENTRY_LABEL}: "true"`,
    );
  }
  const networks = entry.raw.networks;
  if (typeof networks === 'object' && networks !== null && !Array.isArray(networks)) {
    for (const [name, def] of Object.entries(networks as Record<string, unknown>)) {
      if (typeof def === 'object' && def !== null && ('ipv4_address' in def || 'ipv6_address' in def)) {
        throw InputError(
          `${at('networks', name)}: the entry service ${entry.name} has a fixed address on network ${name}; its old and new version run side by side during a swap and cannot share it.`,
          `Remove ipv4_address/ipv6_address from service ${entry.name}; other services reach it by its name.`,
        );
      }
    }
  }
  return entry;
}

/** The entry's HTTP port: label `dynia.port`, else the first TCP `ports` container port, else the first TCP `expose`. */
export function inferEntryPort(file: ComposeFile, entry: ComposeService): number {
  const path = ['services', entry.name];
  const label = entry.labels[PORT_LABEL];
  if (label !== undefined) {
    return at(file.where([...path, 'labels']), () => validatePort(label, `label ${PORT_LABEL} on service ${entry.name}`));
  }
  for (const key of ['ports', 'expose'] as const) {
    const list = key === 'ports' ? entry.ports : entry.expose;
    const first = tcpPorts(list)[0];
    if (first !== undefined) {
      return at(file.where([...path, key, list.indexOf(first)]), () =>
        validatePort(containerPortOf(first), `${key} entry on service ${entry.name}`),
      );
    }
  }
  throw InputError(
    `${file.where(path)}: cannot tell which port service ${entry.name} listens on.`,
    `Add the port it serves HTTP on, e.g.:\n  services:\n    ${entry.name}:\n      labels:\n        ${PORT_LABEL}: "8080"`,
  );
}

/** The public domain: label `dynia.domain` on the entry service, else the node's own FQDN. */
export function inferDomain(file: ComposeFile, entry: ComposeService, nodeFqdn: string): string {
  const label = entry.labels[DOMAIN_LABEL];
  if (label === undefined) return validateHostname(nodeFqdn, 'node FQDN');
  return at(file.where(['services', entry.name, 'labels']), () =>
    validateHostname(label, `label ${DOMAIN_LABEL} on service ${entry.name}`),
  );
}

export interface Entry {
  service: string;
  port: number;
  domain: string;
}

export function inferEntry(file: ComposeFile, nodeFqdn: string): Entry {
  const entry = inferEntryService(file);
  return { service: entry.name, port: inferEntryPort(file, entry), domain: inferDomain(file, entry, nodeFqdn) };
}

import { DyniaError, InputError } from '../errors.js';
import { validateHostname } from '../validate/hostname.js';
import { validatePort } from '../validate/port.js';
import type { ComposeFile, ComposeService } from './parse.js';
import { containerPortOf } from './ports.js';

export const ENTRY_LABEL = 'dynia.entry';
export const PORT_LABEL = 'dynia.port';
export const DOMAIN_LABEL = 'dynia.domain';
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

/**
 * The service Caddy routes to. Candidates are the services labelled `dynia.entry=true` and the one named `web`
 * (unless it says `dynia.entry=false`); exactly one must remain, so a file never routes by accident.
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
  const entry = candidates[0];
  if (!entry) {
    throw InputError(
      `${file.fileName}: cannot tell which service receives the traffic (services: ${file.services.map((s) => s.name).join(', ')}).`,
      `Name that service \`${DEFAULT_ENTRY}\`, or add the label ${ENTRY_LABEL}=true to it.`,
    );
  }
  if (entry.networkMode !== undefined) {
    throw InputError(
      `${file.where(['services', entry.name, 'network_mode'])}: the entry service ${entry.name} uses network_mode ${entry.networkMode}, so Caddy cannot reach it on the \`edge\` network.`,
      'Remove network_mode from the entry service.',
    );
  }
  return entry;
}

/** The entry's HTTP port: label `dynia.port`, else the first `expose`, else the container side of the first `ports`. */
export function inferEntryPort(file: ComposeFile, entry: ComposeService): number {
  const path = ['services', entry.name];
  const label = entry.labels[PORT_LABEL];
  if (label !== undefined) {
    return at(file.where([...path, 'labels']), () => validatePort(label, `label ${PORT_LABEL} on service ${entry.name}`));
  }
  if (entry.expose.length > 0) {
    return at(file.where([...path, 'expose', 0]), () =>
      validatePort(containerPortOf(entry.expose[0]), `expose entry on service ${entry.name}`),
    );
  }
  if (entry.ports.length > 0) {
    return at(file.where([...path, 'ports', 0]), () =>
      validatePort(containerPortOf(entry.ports[0]), `ports entry on service ${entry.name}`),
    );
  }
  throw InputError(
    `${file.where(path)}: cannot tell which port service ${entry.name} listens on.`,
    `Add the label ${PORT_LABEL}=<port> (or an \`expose:\` entry) to service ${entry.name}.`,
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

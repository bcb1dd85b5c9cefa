/** Pure pieces of the node-host driver: names, labels, addresses. */
import type { DropletHostRecord } from '../emulators/ports.js';
import { SANDBOX } from '../layout.js';

export const DROPLET_LABEL = `${SANDBOX.label}.droplet`;
export const DROPLET_ID_LABEL = `${SANDBOX.label}.droplet-id`;

export const containerName = (dropletId: number): string => `${SANDBOX.dropletPrefix}${dropletId}`;

/** What a node host's label holds: its droplet's record, as JSON. */
export const encodeRecord = (r: DropletHostRecord): string => JSON.stringify(r);

export function decodeRecord(label: string): DropletHostRecord | null {
  try {
    const r = JSON.parse(label) as DropletHostRecord;
    return Number.isInteger(r.dropletId) && typeof r.ip === 'string' ? r : null;
  } catch {
    return null;
  }
}

/** Lowest free node-host address of the sandbox subnet. */
export function pickFreeIp(used: Iterable<string>): string {
  const taken = new Set(used);
  const prefix = SANDBOX.subnet.split('.').slice(0, 3).join('.');
  for (let octet = SANDBOX.firstNodeHostOctet; octet <= SANDBOX.lastNodeHostOctet; octet++) {
    const ip = `${prefix}.${octet}`;
    if (!taken.has(ip)) return ip;
  }
  throw new Error(`no free node-host address left in ${SANDBOX.subnet}`);
}

/** The droplet name as the host's hostname when it is a valid one (Docker refuses others). */
export function hostnameFor(name: string): string | undefined {
  return /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(name) && name.length <= 253
    ? name
    : undefined;
}

/** Droplet and action records rendered in the API's full object shapes. */
import { createHash } from 'node:crypto';
import type { ActionRecord, DropletRecord } from './droplet-store.js';
import { isoSeconds } from './droplet-store.js';

/** Each region has one default VPC; a stable id derived from the slug keeps restarts consistent. */
export function defaultVpcUuid(regionSlug: string): string {
  const hex = createHash('md5').update(`vpc:${regionSlug}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Hosts sit on a /24 whose gateway is `.1`, like a droplet's public interface. */
function publicV4(ip: string): { ip_address: string; netmask: string; gateway: string; type: 'public' } {
  return { ip_address: ip, netmask: '255.255.255.0', gateway: ip.replace(/\.\d+$/, '.1'), type: 'public' };
}

/** Backups run in a daily window; the next one is tomorrow (UTC). */
function nextBackupWindow(now: Date): { start: string; end: string } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const end = new Date(start.getTime() + 23 * 3600_000);
  return { start: isoSeconds(start), end: isoSeconds(end) };
}

export function renderDroplet(d: DropletRecord, now: Date = new Date()) {
  return {
    id: d.id,
    name: d.name,
    memory: d.size.memory,
    vcpus: d.size.vcpus,
    disk: d.size.disk,
    disk_info: d.size.disk_info,
    locked: false,
    status: d.active ? 'active' : 'new',
    kernel: null,
    created_at: d.createdAt,
    features: d.features,
    backup_ids: [],
    next_backup_window: d.features.includes('backups') ? nextBackupWindow(now) : null,
    snapshot_ids: [],
    image: d.image,
    volume_ids: [],
    size: d.size,
    size_slug: d.size.slug,
    // The address is only published once the machine is up, as on the real API.
    networks: { v4: d.active ? [publicV4(d.ip)] : [], v6: [] },
    region: d.region,
    tags: d.tags,
    vpc_uuid: defaultVpcUuid(d.region.slug),
  };
}

export function renderAction(a: ActionRecord) {
  return {
    id: a.id,
    status: a.status,
    type: a.type,
    started_at: a.startedAt,
    completed_at: a.completedAt,
    resource_id: a.dropletId,
    resource_type: 'droplet',
    region: a.region,
    region_slug: a.region.slug,
  };
}

/** DNS records of every zone, with Cloudflare's conflict rules; each change is published to the DNS sink. */
import type { DnsSink } from '../ports.js';
import { cfError } from './envelope.js';
import { newIdentifier, nowTimestamp } from './ids.js';
import { isProxiable, type RecordFields } from './dns-record-input.js';

export interface Zone {
  id: string;
  name: string;
}

export interface DnsRecord extends RecordFields {
  id: string;
  zoneId: string;
  zoneName: string;
  createdOn: string;
  modifiedOn: string;
}

const ADDRESS_OR_ALIAS = new Set(['A', 'AAAA', 'CNAME']);

/** Identical records are refused (81057); a CNAME cannot share its name with an A, AAAA or CNAME (81053). */
function assertNoConflict(existing: readonly DnsRecord[], fields: RecordFields, ignoreId?: string): void {
  const sameName = existing.filter((r) => r.id !== ignoreId && r.name === fields.name);
  if (sameName.some((r) => r.type === fields.type && r.content === fields.content)) {
    throw cfError(400, 81057, 'Record already exists.');
  }
  const involvesCname = (r: DnsRecord) => r.type === 'CNAME' || fields.type === 'CNAME';
  if (ADDRESS_OR_ALIAS.has(fields.type) && sameName.some((r) => ADDRESS_OR_ALIAS.has(r.type) && involvesCname(r))) {
    throw cfError(400, 81053, 'An A, AAAA, or CNAME record with that host already exists.');
  }
}

/** Where records outlive the emulator process (a real zone survives an API outage too). */
export interface DnsPersistence {
  load(): DnsRecord[];
  save(records: DnsRecord[]): void;
}

export class DnsStore {
  private readonly byZone = new Map<string, DnsRecord[]>();

  constructor(
    private readonly sink: DnsSink,
    private readonly persistence?: DnsPersistence,
  ) {}

  /** Loads persisted records of the given zones and publishes every zone, so resolvers match the store. */
  restore(zones: readonly Zone[]): void {
    const saved = this.persistence?.load() ?? [];
    for (const zone of zones) {
      this.byZone.set(
        zone.id,
        saved.filter((r) => r.zoneId === zone.id),
      );
      this.publish(zone);
    }
  }

  list(zoneId: string): readonly DnsRecord[] {
    return this.byZone.get(zoneId) ?? [];
  }

  get(zoneId: string, id: string): DnsRecord | undefined {
    return this.list(zoneId).find((r) => r.id === id);
  }

  create(zone: Zone, fields: RecordFields): DnsRecord {
    const records = this.list(zone.id);
    assertNoConflict(records, fields);
    const now = nowTimestamp();
    const record: DnsRecord = { ...fields, id: newIdentifier(), zoneId: zone.id, zoneName: zone.name, createdOn: now, modifiedOn: now };
    this.byZone.set(zone.id, [...records, record]);
    this.publish(zone);
    return record;
  }

  replace(zone: Zone, current: DnsRecord, fields: RecordFields): DnsRecord {
    const records = this.list(zone.id);
    assertNoConflict(records, fields, current.id);
    const updated: DnsRecord = { ...current, ...fields, modifiedOn: nowTimestamp() };
    this.byZone.set(
      zone.id,
      records.map((r) => (r.id === current.id ? updated : r)),
    );
    this.publish(zone);
    return updated;
  }

  remove(zone: Zone, id: string): void {
    this.byZone.set(
      zone.id,
      this.list(zone.id).filter((r) => r.id !== id),
    );
    this.publish(zone);
  }

  private publish(zone: Zone): void {
    this.persistence?.save([...this.byZone.values()].flat());
    const records = this.list(zone.id).map(({ name, type, content, ttl }) => ({ name, type, content, ttl }));
    this.sink.publish(zone.name, records);
  }
}

/** The record object as the API returns it. */
export function recordView(record: DnsRecord) {
  return {
    id: record.id,
    zone_id: record.zoneId,
    zone_name: record.zoneName,
    name: record.name,
    type: record.type,
    content: record.content,
    proxiable: isProxiable(record.type),
    proxied: record.proxied,
    ttl: record.ttl,
    locked: false,
    meta: { auto_added: false, managed_by_apps: false, managed_by_argo_tunnel: false, source: 'primary' },
    comment: record.comment,
    tags: record.tags,
    created_on: record.createdOn,
    modified_on: record.modifiedOn,
  };
}

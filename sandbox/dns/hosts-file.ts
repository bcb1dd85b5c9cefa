/**
 * Hosts-file text for dnsmasq's hostsdir ("IP name" per line). Pure: records in, text out.
 * dnsmasq answers A/AAAA from these lines only; other record types have no hosts-file form and are left out.
 */
export interface DnsRecord {
  name: string;
  type: string;
  content: string;
  ttl: number;
}

/** A zone name that is safe as part of a file name and a DNS name. */
export function assertZoneName(zone: string): void {
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(zone)) {
    throw new Error(`invalid DNS zone name ${JSON.stringify(zone)}`);
  }
}

/** The zone's file in a resolver's hosts dir (dnsmasq ignores dotfiles, so temp files start with a dot). */
export const zoneFileName = (zone: string): string => {
  assertZoneName(zone);
  return `zone-${zone}`;
};

/** Fully qualified, lower-case owner name: "@" and "" mean the apex; relative names get the zone appended. */
export function qualify(name: string, zone: string): string {
  const n = name.trim().toLowerCase().replace(/\.$/, '');
  if (n === '' || n === '@' || n === zone) return zone;
  return n.endsWith(`.${zone}`) ? n : `${n}.${zone}`;
}

export function renderZoneHosts(zone: string, records: readonly DnsRecord[]): string {
  const lines = records.filter((r) => r.type === 'A' || r.type === 'AAAA').map((r) => `${r.content.trim()} ${qualify(r.name, zone)}`);
  const unique = [...new Set(lines)].sort();
  return `# zone ${zone}: written by the sandbox DNS publisher\n${unique.map((l) => `${l}\n`).join('')}`;
}

/** Names every sandbox host can resolve, whatever the zones hold. */
export function renderStaticHosts(entries: ReadonlyArray<{ ip: string; names: readonly string[] }>): string {
  return `# sandbox services\n${entries.map((e) => `${e.ip} ${e.names.join(' ')}\n`).join('')}`;
}

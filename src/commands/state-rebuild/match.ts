/**
 * The pure half of `state:rebuild` (this file: the droplets against the A records; assemble.ts: the
 * nodes' manifests into the state): from what DigitalOcean (droplets tagged `dynia`), Cloudflare (A records
 * of the zone) and the nodes themselves (`/opt/dynia/node.json`) tell, the state that matches what exists,
 * plus findings for everything that does not fit. Nothing is guessed: what cannot be verified is reported.
 *
 * Policy (also in `dynia state:rebuild --help`):
 * - droplet + its A record `<name>.<domain>` (pointing at its IP) + readable manifest → active node with the
 *   manifest's health path, Caddy binding and deployments;
 * - no such A record, but a readable manifest of this domain → node kept as `failed` with its deployments
 *   (`dynia node:create --name <name>` re-creates the record);
 * - A record but SSH fails → node kept as `failed` with what the cloud tells (name, ip, dropletId, fqdn,
 *   record), no deployments (unknown): `node:destroy` can remove it, `app:deploy` refuses it, and a later
 *   `state:rebuild` completes it once it answers;
 * - A record but no or unreadable manifest → `failed`, no deployments (`node:create` finishes it);
 * - nothing ties the droplet to this zone (no record, no manifest of this domain), a name shared by several
 *   droplets, no public IP yet → left out;
 * - A records named like a node that point at no dynia droplet → reported only.
 */
import { publicIpv4, type Droplet } from '../../cloud/digitalocean.js';
import type { DnsRecord } from '../../cloud/cloudflare.js';
import type { State } from '../../state/schema.js';
import { DNS_LABEL } from '../../validate/dns-label.js';

export type FindingKind =
  | 'bad-name'
  | 'no-ip'
  | 'duplicate-droplet'
  | 'no-dns-record'
  | 'unreachable'
  | 'no-manifest'
  | 'bad-manifest'
  | 'other-domain'
  | 'manifest-mismatch'
  | 'orphan-record'
  | 'unhealthy';

/** What became of the thing found: in the state as active or failed, left out of it, or only reported. */
export type FindingOutcome = 'kept-active' | 'kept-failed' | 'left-out' | 'reported';

export interface Finding {
  kind: FindingKind;
  outcome: FindingOutcome;
  node?: string;
  dropletId?: number;
  record?: { id: string; name: string; content: string };
  message: string;
}

/** A droplet that may become a node: its name is unique among the tagged droplets and it has an IP. */
export interface NodeCandidate {
  name: string;
  fqdn: string;
  ip: string;
  droplet: Droplet;
  /** The A record `<name>.<domain>` pointing at the droplet's IP. */
  record?: DnsRecord;
  /** A records `<name>.<domain>` pointing elsewhere (reported with the node). */
  strayRecords: DnsRecord[];
  /** The host key the current state pinned for this very droplet: verified, never re-trusted. */
  knownHostKey?: string;
}

export interface MatchResult {
  candidates: NodeCandidate[];
  findings: Finding[];
}

export const sameName = (a: string, b: string): boolean => a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');
const recordView = (r: DnsRecord) => ({ id: r.id, name: r.name, content: r.content });
export const describeDroplet = (d: Droplet, ip?: string): string => `droplet ${d.name} (id ${d.id}${ip ? `, ${ip}` : ''})`;

/** The label of `<label>.<domain>` when it could be a node name, else undefined. */
function nodeLabel(recordName: string, domain: string): string | undefined {
  const name = recordName.toLowerCase().replace(/\.$/, '');
  const suffix = `.${domain.toLowerCase()}`;
  if (!name.endsWith(suffix)) return undefined;
  const label = name.slice(0, -suffix.length);
  return DNS_LABEL.test(label) ? label : undefined;
}

export function matchDroplets(input: {
  domain: string;
  droplets: readonly Droplet[];
  records: readonly DnsRecord[];
  current: State;
}): MatchResult {
  const { domain, current } = input;
  const findings: Finding[] = [];
  const aRecords = input.records.filter((r) => r.type === 'A');
  const byName = new Map<string, Array<{ droplet: Droplet; ip: string }>>();
  for (const droplet of input.droplets) {
    const ip = publicIpv4(droplet);
    if (!DNS_LABEL.test(droplet.name)) {
      findings.push({
        kind: 'bad-name',
        outcome: 'left-out',
        dropletId: droplet.id,
        message: `${describeDroplet(droplet, ip)} is tagged dynia but its name is not a node name (one DNS label); left out.`,
      });
    } else if (!ip) {
      findings.push({
        kind: 'no-ip',
        outcome: 'left-out',
        node: droplet.name,
        dropletId: droplet.id,
        message: `${describeDroplet(droplet)} has no public IPv4 yet (status ${droplet.status}); left out. Run dynia state:rebuild again once it is active.`,
      });
    } else {
      byName.set(droplet.name, [...(byName.get(droplet.name) ?? []), { droplet, ip }]);
    }
  }

  const candidates: NodeCandidate[] = [];
  for (const [name, droplets] of byName) {
    const fqdn = `${name}.${domain}`;
    const named = aRecords.filter((r) => sameName(r.name, fqdn));
    const recordOf = (ip: string) => named.find((r) => r.content === ip);
    let chosen = droplets;
    if (droplets.length > 1) {
      // Only the DNS record can tell which of several same-named droplets is the node.
      chosen = droplets.filter(({ ip }) => recordOf(ip));
      if (chosen.length !== 1) chosen = [];
      for (const { droplet, ip } of droplets.filter((d) => !chosen.includes(d))) {
        const ids = droplets.map((d) => d.droplet.id).join(', ');
        findings.push({
          kind: 'duplicate-droplet',
          outcome: 'left-out',
          node: name,
          dropletId: droplet.id,
          message: `${describeDroplet(droplet, ip)}: ${droplets.length} droplets are named ${name} (ids ${ids})${chosen.length ? ` and ${fqdn} points at droplet ${chosen[0]!.droplet.id}` : ''}; left out. Delete the droplet that should not exist.`,
        });
      }
    }
    for (const { droplet, ip } of chosen) {
      const record = recordOf(ip);
      const known = current.nodes.find(
        (n) => n.name === name && n.sshHostKey && (n.dropletId === undefined ? n.ip === ip : n.dropletId === droplet.id),
      );
      candidates.push({
        name,
        fqdn,
        ip,
        droplet,
        ...(record ? { record } : {}),
        strayRecords: named.filter((r) => r !== record),
        ...(known?.sshHostKey ? { knownHostKey: known.sshHostKey } : {}),
      });
    }
  }

  const dropletIps = new Set([...byName.values()].flat().map(({ ip }) => ip));
  for (const record of aRecords) {
    const label = nodeLabel(record.name, domain);
    if (label === undefined || dropletIps.has(record.content)) continue;
    findings.push({
      kind: 'orphan-record',
      outcome: 'reported',
      record: recordView(record),
      message: `A record ${record.name} → ${record.content} points at no dynia droplet${byName.has(label) ? ` (droplet ${label} has another IP)` : ''}; not in the state. If it belonged to a node that is gone, delete the record.`,
    });
  }
  return { candidates, findings };
}

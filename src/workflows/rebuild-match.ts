/**
 * The pure half of `state:rebuild`: from what DigitalOcean (droplets tagged `dynia`), Cloudflare (A records
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
import { publicIpv4, type Droplet } from '../cloud/digitalocean.js';
import type { DnsRecord } from '../cloud/cloudflare.js';
import { parseManifest, type NodeManifest } from '../node/manifest.js';
import { STATE_VERSION, type Deployment, type NodeRecord, type State } from '../state/schema.js';
import { DNS_LABEL } from '../validate/dns-label.js';
import { validateHealthPath } from '../validate/health-path.js';
import { NODE_CREATE_STEPS } from './node-create.js';
import { nodeBindings, placeholderTarget } from './node-sites.js';

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

/** What SSH found on a candidate: the manifest's text (null: no such file), or why it could not connect. */
export type Observation =
  | { reached: true; hostKey: string; trust: 'first-use' | 'pinned'; manifestText: string | null }
  | { reached: false; error: string };

export interface TrustedKey {
  node: string;
  hostKey: string;
  trust: 'first-use' | 'pinned';
}

export interface AssembleResult {
  state: State;
  findings: Finding[];
  trusted: TrustedKey[];
}

const sameName = (a: string, b: string) => a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');
const recordView = (r: DnsRecord) => ({ id: r.id, name: r.name, content: r.content });
const describeDroplet = (d: Droplet, ip?: string) => `droplet ${d.name} (id ${d.id}${ip ? `, ${ip}` : ''})`;

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

/** Fields only the previous state knows (creation time): kept when it knew this droplet. */
function previousRecord(current: State, candidate: NodeCandidate): NodeRecord | undefined {
  return current.nodes.find((n) => n.name === candidate.name && n.dropletId === candidate.droplet.id);
}

function cloudNode(candidate: NodeCandidate, current: State, status: NodeRecord['status'], hostKey?: string): NodeRecord {
  return {
    name: candidate.name,
    ip: candidate.ip,
    fqdn: candidate.fqdn,
    createdAt: previousRecord(current, candidate)?.createdAt ?? candidate.droplet.created_at,
    status,
    healthPath: '/',
    caddy: { domain: candidate.fqdn, target: placeholderTarget() },
    dropletId: candidate.droplet.id,
    ...(candidate.record ? { dnsRecordId: candidate.record.id } : {}),
    ...(hostKey ? { sshHostKey: hostKey } : {}),
    stepsDone: status === 'active' ? [...NODE_CREATE_STEPS] : ['droplet', 'droplet-active'],
  };
}

function readManifest(text: string, candidate: NodeCandidate): { manifest: NodeManifest } | { error: string } {
  try {
    const manifest = parseManifest(text, `${candidate.name}:/opt/dynia/node.json`);
    validateHealthPath(manifest.healthPath, 'healthPath');
    if (manifest.name !== candidate.name) return { error: `the manifest names node ${manifest.name}, the droplet is ${candidate.name}` };
    return { manifest };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const recordNote = (c: NodeCandidate) =>
  c.strayRecords.length ? ` (${c.fqdn} points at ${c.strayRecords.map((r) => r.content).join(', ')} instead)` : '';

/** Builds the state from the candidates and what SSH found on each. `observations` is keyed by droplet id. */
export function assembleState(input: {
  candidates: readonly NodeCandidate[];
  observations: ReadonlyMap<number, Observation>;
  current: State;
}): AssembleResult {
  const { current } = input;
  const findings: Finding[] = [];
  const trusted: TrustedKey[] = [];
  const nodes: NodeRecord[] = [];
  const deployments: Deployment[] = [];

  for (const c of input.candidates) {
    const where = `${describeDroplet(c.droplet, c.ip)}`;
    const base = { node: c.name, dropletId: c.droplet.id };
    const observation = input.observations.get(c.droplet.id) ?? { reached: false, error: 'not contacted' };
    if (!observation.reached) {
      if (c.record) {
        nodes.push(cloudNode(c, current, 'failed', c.knownHostKey));
        findings.push({
          ...base,
          kind: 'unreachable',
          outcome: 'kept-failed',
          message: `${where}: ${observation.error}. Kept as failed with what the cloud tells (no deployments); run dynia state:rebuild again once it answers, or remove it: dynia node:destroy --name ${c.name}.`,
        });
      } else {
        findings.push({
          ...base,
          kind: 'unreachable',
          outcome: 'left-out',
          message: `${where}: no A record ${c.fqdn}${recordNote(c)} and ${observation.error}: nothing ties it to this zone; left out.`,
        });
      }
      continue;
    }
    trusted.push({ node: c.name, hostKey: observation.hostKey, trust: observation.trust });
    const read =
      observation.manifestText === null
        ? { error: 'no /opt/dynia/node.json (node:create never finished)' }
        : readManifest(observation.manifestText, c);
    if ('error' in read) {
      const kind = observation.manifestText === null ? 'no-manifest' : 'bad-manifest';
      if (c.record) {
        nodes.push(cloudNode(c, current, 'failed', observation.hostKey));
        findings.push({
          ...base,
          kind,
          outcome: 'kept-failed',
          message: `${where}: ${read.error}. Kept as failed without deployments; dynia node:create --name ${c.name} finishes it.`,
        });
      } else {
        findings.push({
          ...base,
          kind,
          outcome: 'left-out',
          message: `${where}: ${read.error}, and no A record ${c.fqdn}${recordNote(c)}: nothing ties it to this zone; left out.`,
        });
      }
      continue;
    }
    const { manifest } = read;
    if (!sameName(manifest.fqdn, c.fqdn)) {
      findings.push({
        ...base,
        kind: 'other-domain',
        outcome: 'left-out',
        message: `${where} serves ${manifest.fqdn}, not ${c.fqdn}: it belongs to another domain; left out.`,
      });
      continue;
    }
    const mine = manifest.deployments.filter((d) => d.node === c.name);
    const served = mine.find((d) => d.status === 'active' && d.domain === c.fqdn);
    const node: NodeRecord = {
      ...cloudNode(c, current, c.record ? 'active' : 'failed', observation.hostKey),
      healthPath: manifest.healthPath,
      caddy: { domain: c.fqdn, target: served ? { service: served.entryService, port: served.entryPort } : placeholderTarget() },
    };
    nodes.push(node);
    deployments.push(...mine);
    if (!c.record) {
      findings.push({
        ...base,
        kind: 'no-dns-record',
        outcome: 'kept-failed',
        message: `${where}: no A record ${c.fqdn}${recordNote(c)}. Kept as failed with its deployments; dynia node:create --name ${c.name} --health-path ${manifest.healthPath} re-creates the record.`,
      });
    }
    if (!sameBindings(nodeBindings(node, mine), manifest.bindings)) {
      findings.push({
        ...base,
        kind: 'manifest-mismatch',
        outcome: c.record ? 'kept-active' : 'kept-failed',
        message: `${c.name}: the manifest's bindings do not match its active deployments (an interrupted deploy?); the deployments were taken. Check with dynia status.`,
      });
    }
  }

  const order = (n: NodeRecord) => {
    const index = current.nodes.findIndex((known) => known.name === n.name);
    return index === -1 ? current.nodes.length + (n.dropletId ?? 0) : index;
  };
  nodes.sort((a, b) => order(a) - order(b));
  deployments.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  return {
    state: { version: STATE_VERSION, nodes, deployments, ...(current.slb ? { slb: current.slb } : {}) },
    findings,
    trusted,
  };
}

const bindingKey = (b: { domain: string; upstream: { alias: string; port: number }; project?: string | undefined }) =>
  `${b.domain} ${b.upstream.alias}:${b.upstream.port} ${b.project ?? ''}`;
const sameBindings = (a: ReadonlyArray<Parameters<typeof bindingKey>[0]>, b: ReadonlyArray<Parameters<typeof bindingKey>[0]>) =>
  a.map(bindingKey).sort().join('\n') === b.map(bindingKey).sort().join('\n');

/** The health of each active node at rebuild time: a failure is reported, the node stays active. */
export function healthFindings(state: State, results: ReadonlyMap<string, { ok: boolean; status?: number; error?: string }>): Finding[] {
  return state.nodes.flatMap((node) => {
    const result = results.get(node.name);
    if (!result || result.ok) return [];
    const why = result.error ?? `HTTP ${result.status}`;
    return [
      {
        kind: 'unhealthy' as const,
        outcome: 'kept-active' as const,
        node: node.name,
        dropletId: node.dropletId,
        message: `https://${node.fqdn}${node.healthPath} is not healthy now: ${why}`,
      },
    ];
  });
}

/** state:rebuild, pure: the matched droplets and what SSH found on each, made into the state (policy: match.ts). */
import { parseManifest, type NodeManifest } from '../../node/manifest.js';
import { STATE_VERSION, type Deployment, type NodeRecord, type State } from '../../state/schema.js';
import { validateHealthPath } from '../../validate/health-path.js';
import { NODE_CREATE_STEPS } from '../node-create/workflow.js';
import { nodeBindings, placeholderTarget } from '../../deploy/node-sites.js';
import { describeDroplet, sameName, type Finding, type NodeCandidate } from './match.js';

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

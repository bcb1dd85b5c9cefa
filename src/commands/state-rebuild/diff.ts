/**
 * What changes between two states, for people: nodes by name and deployments by node, project and creation
 * time, each field shown the way a user recognises it (host keys as fingerprints, hashes shortened).
 */
import { hostKeyFingerprint } from '../../remote/host-key.js';
import type { Deployment, NodeRecord, State } from '../../state/schema.js';

export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

export interface StateDiff {
  nodes: { added: NodeRecord[]; removed: NodeRecord[]; changed: Array<{ name: string; changes: FieldChange[] }> };
  deployments: { added: Deployment[]; removed: Deployment[]; changed: Array<{ deployment: Deployment; changes: FieldChange[] }> };
}

const NONE = '(none)';
const text = (value: string | number | undefined) => (value === undefined || value === '' ? NONE : String(value));

const NODE_FIELDS: Array<[string, (n: NodeRecord) => string]> = [
  ['status', (n) => n.status],
  ['ip', (n) => text(n.ip)],
  ['fqdn', (n) => n.fqdn],
  ['healthPath', (n) => n.healthPath],
  ['caddy', (n) => `${n.caddy.target.service}:${n.caddy.target.port}${n.caddy.domain === n.fqdn ? '' : ` for ${n.caddy.domain}`}`],
  ['dropletId', (n) => text(n.dropletId)],
  ['dnsRecordId', (n) => text(n.dnsRecordId)],
  ['sshHostKey', (n) => (n.sshHostKey ? hostKeyFingerprint(n.sshHostKey) : NONE)],
  ['createdAt', (n) => n.createdAt],
  ['stepsDone', (n) => [...n.stepsDone].sort().join(',') || NONE],
];

const DEPLOYMENT_FIELDS: Array<[string, (d: Deployment) => string]> = [
  ['app', (d) => d.app],
  ['status', (d) => d.status],
  ['domain', (d) => d.domain],
  ['entry', (d) => `${d.entryService}:${d.entryPort}`],
  ['composeHash', (d) => d.composeHash.slice(0, 12)],
  ['reason', (d) => text(d.reason)],
  ['updatedAt', (d) => d.updatedAt],
];

/** A deployment's identity: a project is reused by every other deploy (blue/green), its creation time is not. */
export const deploymentKey = (d: Deployment): string => `${d.node}/${d.project}@${d.createdAt}`;

function changesOf<T>(fields: Array<[string, (x: T) => string]>, before: T, after: T): FieldChange[] {
  return fields.flatMap(([field, show]) => (show(before) === show(after) ? [] : [{ field, before: show(before), after: show(after) }]));
}

function diffBy<T, C>(before: readonly T[], after: readonly T[], key: (x: T) => string, changed: (b: T, a: T) => C | undefined) {
  const old = new Map(before.map((x) => [key(x), x]));
  const now = new Map(after.map((x) => [key(x), x]));
  return {
    added: after.filter((x) => !old.has(key(x))),
    removed: before.filter((x) => !now.has(key(x))),
    changed: after.flatMap((x) => {
      const previous = old.get(key(x));
      const change = previous === undefined ? undefined : changed(previous, x);
      return change === undefined ? [] : [change];
    }),
  };
}

export function diffStates(before: State, after: State): StateDiff {
  return {
    nodes: diffBy(
      before.nodes,
      after.nodes,
      (n) => n.name,
      (b, a) => {
        const changes = changesOf(NODE_FIELDS, b, a);
        return changes.length ? { name: a.name, changes } : undefined;
      },
    ),
    deployments: diffBy(before.deployments, after.deployments, deploymentKey, (b, a) => {
      const changes = changesOf(DEPLOYMENT_FIELDS, b, a);
      return changes.length ? { deployment: a, changes } : undefined;
    }),
  };
}

export const isEmptyDiff = (diff: StateDiff): boolean =>
  [
    diff.nodes.added,
    diff.nodes.removed,
    diff.nodes.changed,
    diff.deployments.added,
    diff.deployments.removed,
    diff.deployments.changed,
  ].every((list) => list.length === 0);

const describeNode = (n: NodeRecord) => `${n.status}, ${text(n.ip)}, ${n.fqdn}, droplet ${text(n.dropletId)}`;
const describeDeployment = (d: Deployment) => `${d.node} ${d.app} ${d.project} ${d.status} (created ${d.createdAt})`;
const describeChanges = (changes: readonly FieldChange[]) => changes.map((c) => `${c.field} ${c.before} → ${c.after}`).join('; ');
const counts = (part: { added: unknown[]; removed: unknown[]; changed: unknown[] }) =>
  `${part.added.length} added, ${part.removed.length} removed, ${part.changed.length} changed`;

/** The human summary: one line per added (+), removed (-) or changed (~) node and deployment. */
export function renderStateDiff(diff: StateDiff): string {
  if (isEmptyDiff(diff)) return 'No changes: the state file already matches what exists.';
  return [
    `Nodes: ${counts(diff.nodes)}`,
    ...diff.nodes.added.map((n) => `  + ${n.name}: ${describeNode(n)}`),
    ...diff.nodes.removed.map((n) => `  - ${n.name}: ${describeNode(n)}`),
    ...diff.nodes.changed.map(({ name, changes }) => `  ~ ${name}: ${describeChanges(changes)}`),
    `Deployments: ${counts(diff.deployments)}`,
    ...diff.deployments.added.map((d) => `  + ${describeDeployment(d)}`),
    ...diff.deployments.removed.map((d) => `  - ${describeDeployment(d)}`),
    ...diff.deployments.changed.map(
      ({ deployment: d, changes }) => `  ~ ${d.node} ${d.app} ${d.project} (created ${d.createdAt}): ${describeChanges(changes)}`,
    ),
  ].join('\n');
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hostKeyFingerprint } from '../../src/remote/host-key.js';
import { emptyState, type Deployment, type NodeRecord, type State } from '../../src/state/schema.js';
import { deploymentKey, diffStates, isEmptyDiff, renderStateDiff } from '../../src/commands/state-rebuild/diff.js';
import { deploymentRecord, nodeRecord } from './records.js';

const KEY_A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA0000000000000000000000000000000000000000000';
const KEY_B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB1111111111111111111111111111111111111111111';

const node = (name: string, extra: Partial<NodeRecord> = {}) =>
  nodeRecord(name, { dropletId: 1, dnsRecordId: 'r1', sshHostKey: KEY_A, stepsDone: ['a', 'b'], ...extra });
const deployment = (project: string, extra: Partial<Deployment> = {}) =>
  deploymentRecord('web-1', project, { composeHash: 'abcdef0123456789'.repeat(4), ...extra });
const state = (nodes: NodeRecord[], deployments: Deployment[] = []): State => ({ version: 1, nodes, deployments });

describe('diffStates / renderStateDiff', () => {
  test('identical states: no changes, whatever the order', () => {
    const a = state(
      [node('web-1'), node('web-2', { stepsDone: ['b', 'a'] })],
      [deployment('hello-blue'), deployment('hello-green', { createdAt: '2026-01-03T00:00:00.000Z' })],
    );
    const b = state([node('web-2'), node('web-1')], [...a.deployments].reverse());
    const diff = diffStates(a, b);
    assert.equal(isEmptyDiff(diff), true);
    assert.equal(renderStateDiff(diff), 'No changes: the state file already matches what exists.');
  });

  test('a lost file: everything is added', () => {
    const diff = diffStates(emptyState(), state([node('web-1')], [deployment('hello-blue')]));
    assert.equal(
      renderStateDiff(diff),
      [
        'Nodes: 1 added, 0 removed, 0 changed',
        '  + web-1: active, 10.0.0.1, web-1.example.com, droplet 1',
        'Deployments: 1 added, 0 removed, 0 changed',
        '  + web-1 hello hello-blue active (created 2026-01-02T00:00:00.000Z)',
      ].join('\n'),
    );
  });

  test('added, removed and changed nodes and deployments, fields as people read them', () => {
    const before = state(
      [node('web-1'), node('old-1', { ip: '10.0.0.9', dropletId: 9 })],
      [deployment('hello-blue', { status: 'active' }), deployment('gone-blue', { app: 'gone', createdAt: '2026-01-01T00:00:00.000Z' })],
    );
    const after = state(
      [
        node('web-1', {
          ip: '10.0.0.2',
          status: 'failed',
          sshHostKey: KEY_B,
          dnsRecordId: undefined,
          caddy: { domain: 'web-1.example.com', target: { service: 'web', port: 3000 } },
        }),
        node('new-1', { dropletId: 5 }),
      ],
      [
        deployment('hello-blue', { status: 'superseded', updatedAt: '2026-01-04T00:00:00.000Z' }),
        deployment('hello-green', { createdAt: '2026-01-04T00:00:00.000Z', composeHash: 'f'.repeat(64) }),
      ],
    );
    const diff = diffStates(before, after);
    assert.deepEqual(
      diff.nodes.changed[0]!.changes.map((c) => c.field),
      ['status', 'ip', 'caddy', 'dnsRecordId', 'sshHostKey'],
    );
    assert.equal(
      renderStateDiff(diff),
      [
        'Nodes: 1 added, 1 removed, 1 changed',
        '  + new-1: active, 10.0.0.1, new-1.example.com, droplet 5',
        '  - old-1: active, 10.0.0.9, old-1.example.com, droplet 9',
        `  ~ web-1: status active → failed; ip 10.0.0.1 → 10.0.0.2; caddy placeholder:8080 → web:3000; dnsRecordId r1 → (none); sshHostKey ${hostKeyFingerprint(KEY_A)} → ${hostKeyFingerprint(KEY_B)}`,
        'Deployments: 1 added, 1 removed, 1 changed',
        '  + web-1 hello hello-green active (created 2026-01-04T00:00:00.000Z)',
        '  - web-1 gone gone-blue active (created 2026-01-01T00:00:00.000Z)',
        '  ~ web-1 hello hello-blue (created 2026-01-02T00:00:00.000Z): status active → superseded; updatedAt 2026-01-02T00:00:00.000Z → 2026-01-04T00:00:00.000Z',
      ].join('\n'),
    );
  });

  test('a deployment is identified by node, project and creation time (projects are reused)', () => {
    assert.equal(deploymentKey(deployment('hello-blue')), 'web-1/hello-blue@2026-01-02T00:00:00.000Z');
    const diff = diffStates(
      state([], [deployment('hello-blue')]),
      state([], [deployment('hello-blue', { createdAt: '2026-01-09T00:00:00.000Z' })]),
    );
    assert.deepEqual([diff.deployments.added.length, diff.deployments.removed.length, diff.deployments.changed.length], [1, 1, 0]);
  });
});

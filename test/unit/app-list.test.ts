import assert from 'node:assert/strict';
import { test } from 'node:test';
import { State, type Deployment } from '../../src/state/schema.js';
import { appListRows, listApps } from '../../src/commands/app-list/workflow.js';
import { deploymentRecord, nodeRecord } from './records.js';

const d = (n: string, project: string, status: Deployment['status'], hash: string, at: string, extra: Partial<Deployment> = {}) =>
  deploymentRecord(n, project, { app: 'shop', composeHash: hash.repeat(64), status, createdAt: at, updatedAt: at, ...extra });

test('app:list: the active version per node; the node on another version is flagged; a failed last deploy is said', () => {
  const state = State.parse({
    version: 1,
    nodes: [nodeRecord('a'), nodeRecord('b'), nodeRecord('c')],
    deployments: [
      d('a', 'shop-blue', 'superseded', '1', '2026-01-01T00:00:00.000Z'),
      d('a', 'shop-green', 'active', '2', '2026-01-02T00:00:00.000Z'),
      d('b', 'shop-blue', 'active', '2', '2026-01-02T00:00:01.000Z'),
      d('c', 'shop-blue', 'active', '1', '2026-01-01T00:00:00.000Z'),
      d('c', 'shop-green', 'failed', '3', '2026-01-03T00:00:00.000Z', { reason: 'not healthy' }),
      d('a', 'api-blue', 'failed', '4', '2026-01-03T00:00:00.000Z', { app: 'api', domain: 'api.example.com', reason: 'refused' }),
    ],
  });
  const listing = listApps(state);
  assert.deepEqual(
    listing.map((l) => [l.app, l.versions]),
    [
      ['api', 0],
      ['shop', 2],
    ],
  );
  assert.deepEqual(appListRows(listing), [
    ['api', 'a', '-', '-', 'api.example.com', 'web:8080', 'failed'],
    ['shop', 'a', '222222222222', '2026-01-02 00:00:00', 'a.example.com', 'web:8080', 'active'],
    ['shop', 'b', '222222222222', '2026-01-02 00:00:01', 'b.example.com', 'web:8080', 'active'],
    ['shop', 'c', '111111111111 (differs)', '2026-01-01 00:00:00', 'c.example.com', 'web:8080', 'active (last deploy failed)'],
  ]);
  assert.equal(listing[1]!.nodes[2]!.lastFailure, 'not healthy');
});

test('app:list: a tie between two versions flags the node that is not on the newest deploy', () => {
  const state = State.parse({
    version: 1,
    nodes: [nodeRecord('a'), nodeRecord('b')],
    deployments: [
      d('a', 'shop-blue', 'active', '1', '2026-01-01T00:00:00.000Z'),
      d('b', 'shop-green', 'active', '2', '2026-01-02T00:00:00.000Z'),
    ],
  });
  assert.deepEqual(
    listApps(state)[0]!.nodes.map((n) => `${n.node}:${n.differs}`),
    ['a:true', 'b:false'],
  );
});

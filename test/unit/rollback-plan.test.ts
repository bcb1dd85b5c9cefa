import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DyniaError } from '../../src/errors.js';
import { State, type Deployment, type NodeRecord } from '../../src/state/schema.js';
import { activeApp } from '../../src/deploy/app-select.js';
import { planRollback } from '../../src/commands/app-rollback/plan.js';
import { deploymentRecord, nodeRecord } from './records.js';

const node = (name: string, status: NodeRecord['status'] = 'active') =>
  nodeRecord(name, { status, caddy: { domain: `${name}.example.com`, target: { service: 'web', port: 8080 } } });
let clock = 0;
const d = (project: string, status: Deployment['status'], extra: Partial<Deployment> = {}): Deployment => {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, ++clock)).toISOString();
  return deploymentRecord('web-1', project, { status, createdAt: at, updatedAt: at, ...extra });
};
const state = (deployments: Deployment[], nodes = [node('web-1')]) => State.parse({ version: 1, nodes, deployments });
const inputError = (pattern: RegExp) => (error: unknown) =>
  error instanceof DyniaError && error.kind === 'input' && pattern.test(`${error.message} ${error.hint}`);

describe('planRollback', () => {
  test('goes back to the last superseded version of the same app and domain in the other project', () => {
    const v1 = d('hello-blue', 'superseded');
    const v2 = d('hello-green', 'superseded');
    const v3 = d('hello-blue', 'active');
    const plan = planRollback(state([v1, v2, v3]), { node: 'web-1' });
    assert.deepEqual([plan.current, plan.previous], [v3, v2]);
  });

  test('picks the app by --app or --domain when the node serves several', () => {
    const api1 = d('api-blue', 'superseded', { app: 'api', domain: 'api.example.com' });
    const api2 = d('api-green', 'active', { app: 'api', domain: 'api.example.com' });
    const h1 = d('hello-blue', 'superseded');
    const h2 = d('hello-green', 'active');
    const s = state([api1, api2, h1, h2]);
    assert.throws(
      () => planRollback(s, { node: 'web-1' }),
      inputError(/serves several apps \(api on api\.example\.com, hello on web-1\.example\.com\).*--app/),
    );
    assert.deepEqual(planRollback(s, { node: 'web-1', app: 'api' }).previous, api1);
    assert.deepEqual(planRollback(s, { node: 'web-1', domain: 'web-1.example.com' }).previous, h1);
    assert.throws(
      () => planRollback(s, { node: 'web-1', app: 'nope' }),
      inputError(/no active app on web-1 matches --app nope.*Active: api/),
    );
  });

  test('nothing to go back to: failed, rolled-back, other-domain or same-project records do not count', () => {
    const cases: Deployment[][] = [
      [d('hello-blue', 'active')],
      [d('hello-blue', 'failed'), d('hello-green', 'active')],
      [d('hello-blue', 'rolled-back'), d('hello-green', 'active')],
      [d('hello-blue', 'superseded', { domain: 'old.example.com' }), d('hello-green', 'active')],
      [d('hello-blue', 'superseded'), d('hello-green', 'superseded'), d('hello-green', 'active')].slice(1),
    ];
    for (const deployments of cases) {
      assert.throws(() => planRollback(state(deployments), { node: 'web-1' }), inputError(/no earlier version of web-1\.example\.com/));
    }
  });

  test('unknown, unfinished or empty nodes', () => {
    assert.throws(() => planRollback(state([]), { node: 'web-9' }), inputError(/no such node in state \(known: web-1\)/));
    assert.throws(() => planRollback(state([], [node('web-1', 'failed')]), { node: 'web-1' }), inputError(/not ready \(status failed\)/));
    assert.throws(() => planRollback(state([]), { node: 'web-1' }), inputError(/no app is active on web-1/));
  });
});

describe('activeApp', () => {
  test('the only active app, the named one, or a clear question', () => {
    const hello = d('hello-green', 'active');
    const api = d('api-blue', 'active', { app: 'api', domain: 'api.example.com' });
    const n = node('web-1');
    assert.deepEqual(activeApp(state([d('hello-blue', 'superseded'), hello]), n), hello);
    assert.deepEqual(activeApp(state([hello, api]), n, 'api'), api);
    assert.throws(() => activeApp(state([hello, api]), n), inputError(/runs several apps \(hello, api\).*--app/));
    assert.throws(() => activeApp(state([]), n), inputError(/no app is active on web-1/));
    assert.throws(() => activeApp(state([hello]), n, 'api'), inputError(/no active app api on web-1.*Active: hello/));
  });
});

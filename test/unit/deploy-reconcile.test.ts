/** Reconcile before a deploy or rollback: the node's read parsed, and the repairs planned from it and state (pure). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderManifest } from '../../src/node/manifest.js';
import { observeApp, parseObservedApp, type ObservedApp } from '../../src/node/observe-app.js';
import { upstreamAlias } from '../../src/node/caddy/upstream-alias.js';
import type { Deployment } from '../../src/state/schema.js';
import { planReconcile } from '../../src/deploy/deploy-reconcile.js';
import { deploymentRecord } from './records.js';
import { inspectLine } from './workflow-fakes.js';

const ALIAS = upstreamAlias('web-1.example.com');
const MANIFEST = renderManifest({
  version: 1,
  name: 'web-1',
  fqdn: 'web-1.example.com',
  healthPath: '/',
  bindings: [],
  deployments: [],
  updatedAt: '',
});
const active = (project: string) => deploymentRecord('web-1', project, { app: 'shop', composeHash: 'h' });
const node = (containers: ObservedApp['containers'], caddyfile = 'CADDY\n'): ObservedApp => ({
  containers,
  caddyfile,
  manifest: JSON.stringify({ ...JSON.parse(MANIFEST), updatedAt: 'later' }),
  file: null,
});
const web = (project: string, running: boolean, aliases?: string[]) => ({
  name: `${project}-web-1`,
  project,
  service: 'web',
  running,
  ...(aliases ? { edgeAliases: aliases } : {}),
});
const plan = (observed: ObservedApp, a?: Deployment, replacing?: string) =>
  planReconcile({
    app: 'shop',
    observed,
    caddyfile: 'CADDY\n',
    manifest: MANIFEST,
    ...(a ? { active: a } : {}),
    ...(replacing ? { replacing } : {}),
  });

describe('reconcile', () => {
  test('the read: one command for both colours, the Caddyfile, the manifest and the upload base, once any retire has ended', () => {
    const argv = observeApp('shop', '/opt/dynia/apps/shop-blue/files.json');
    assert.deepEqual(
      [argv[0], argv[1], ...argv.slice(3)],
      [
        'sh',
        '-c',
        'sh',
        'shop',
        '/opt/dynia/proxy/Caddyfile',
        '/opt/dynia/node.json',
        '/opt/dynia/apps/shop-blue/files.json',
        '/run/dynia/retiring',
      ],
    );
    assert.match(argv[2]!, /^wait_retired\(\) \{.*\}\nwait_retired "\$5\/\$1-blue" "\$5\/\$1-green"\n/);
    const out = [
      inspectLine({ name: 'shop-blue-web-1', project: 'shop-blue', service: 'web', running: true, edge: [ALIAS, 'shop-blue-web-1'] }),
      inspectLine({ name: 'shop-green-web-1', project: 'shop-green', service: 'web', running: false }),
      // Named after the app, but another app's (`shop-admin`): not this one's.
      inspectLine({ name: 'shop-admin-web-1', project: 'shop-admin-blue', service: 'web', running: true, edge: [] }),
      '--- caddyfile\nCADDY\n--- manifest\n{}\n--- file\n{"hash":"h"}',
    ].join('');
    assert.deepEqual(parseObservedApp('shop', out), {
      containers: [
        { name: 'shop-blue-web-1', project: 'shop-blue', service: 'web', running: true, edgeAliases: [ALIAS, 'shop-blue-web-1'] },
        { name: 'shop-green-web-1', project: 'shop-green', service: 'web', running: false },
      ],
      caddyfile: 'CADDY\n',
      manifest: '{}\n',
      file: '{"hash":"h"}',
    });
    assert.equal(parseObservedApp('shop', '--- caddyfile\n--- manifest\n--- file\n(none)\n').file, null);
    assert.throws(() => parseObservedApp('shop', ''), /unexpected output/);
    assert.throws(() => parseObservedApp('shop', 'container {"Name":\n--- caddyfile\n--- manifest\n--- file\n'), /unexpected output/);
  });

  test('a node that matches state: nothing to repair (a stopped colour without the alias is a kept rollback)', () => {
    assert.deepEqual(plan(node([web('shop-blue', true, [ALIAS]), web('shop-green', false)]), active('shop-blue')), { repairs: [] });
  });

  test('killed after the swap was recorded: the old colour still runs with the alias, and is retired', () => {
    assert.deepEqual(plan(node([web('shop-blue', true, [ALIAS]), web('shop-green', true, [ALIAS])]), active('shop-green')), {
      repairs: [
        {
          kind: 'retire',
          project: 'shop-blue',
          why: 'shop-blue was still running and holding the alias (shop-blue-web-1) though state calls shop-green active (an interrupted run): retired',
        },
      ],
    });
  });

  test('killed after the alias moved but before the record: the new colour is retired even when the deploy recreates it', () => {
    const observed = node([web('shop-blue', true, [ALIAS]), web('shop-green', true, [ALIAS])]);
    assert.deepEqual(
      plan(observed, active('shop-blue'), 'shop-green').repairs.map((r) => `${r.kind} ${'project' in r ? r.project : ''}`),
      ['retire shop-green'],
    );
  });

  test('killed during start: the half-started colour is left to the deploy that recreates it, retired otherwise', () => {
    const observed = node([web('shop-blue', true, [ALIAS]), web('shop-green', true, [])]);
    assert.deepEqual(plan(observed, active('shop-blue'), 'shop-green'), { repairs: [] });
    assert.deepEqual(
      plan(observed, active('shop-blue')).repairs.map((r) => r.kind),
      ['retire'],
    );
  });

  test('the active entry without its alias gets it; a stopped or missing one needs a new deploy', () => {
    assert.deepEqual(plan(node([web('shop-blue', true, [])]), active('shop-blue')).repairs, [
      {
        kind: 'alias',
        container: 'shop-blue-web-1',
        domain: 'web-1.example.com',
        why: `shop-blue-web-1 (active) did not hold ${ALIAS}: given it`,
      },
    ]);
    assert.deepEqual(plan(node([web('shop-blue', false, [ALIAS])]), active('shop-blue')), {
      repairs: [],
      redeploy: 'shop-blue-web-1 (the active version, per state) is stopped',
    });
    assert.deepEqual(plan(node([]), active('shop-blue')).redeploy, 'shop-blue-web-1 (the active version, per state) is gone');
  });

  test('a Caddyfile or manifest other than state implies is rewritten (the manifest compared without its time)', () => {
    const observed = { ...node([web('shop-blue', true, [ALIAS])], 'OLD\n'), manifest: '{"version":1' };
    assert.deepEqual(
      plan(observed, active('shop-blue')).repairs.map((r) => r.kind),
      ['caddyfile', 'manifest'],
    );
  });
});

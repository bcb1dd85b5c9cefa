/** `app:deploy --dry-run`'s report: what the plan says, from the file and the state alone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appModel } from '../../src/compose/app-model.js';
import { parseCompose } from '../../src/compose/parse.js';
import { dryRunReport, renderDryRun } from '../../src/commands/app-deploy/dry-run.js';
import { planDeploy } from '../../src/commands/app-deploy/plan.js';
import { State } from '../../src/state/schema.js';

const NODE = {
  name: 'web-1',
  ip: '203.0.113.10',
  fqdn: 'web-1.example.com',
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'active',
  healthPath: '/',
  caddy: { domain: 'web-1.example.com', target: { service: 'placeholder', port: 8080 } },
  sshHostKey: 'ssh-ed25519 AAAA',
  stepsDone: [],
};

test('a job is listed apart: it runs once, to completion, before what waits for it', () => {
  const file = parseCompose(
    'services:\n  web:\n    image: shop:2\n    expose: ["8080"]\n    depends_on:\n      migrate: {condition: service_completed_successfully}\n  migrate:\n    image: shop:2\n',
    'compose.yaml',
  );
  const plan = planDeploy(State.parse({ version: 1, nodes: [NODE], deployments: [] }), {
    node: 'web-1',
    app: 'shop',
    file,
    model: appModel(file, () => 'missing'),
    files: [],
    hash: 'h',
    force: false,
  });
  const report = dryRunReport(plan, [], []);
  assert.deepEqual(report.sideBySide, ['web', 'migrate']);
  assert.deepEqual(report.jobs, ['migrate']);
  assert.deepEqual(renderDryRun(report).split('\n').slice(3, 5), [
    'side by side during the swap: web, migrate',
    'jobs (each runs once, to completion, before the services that wait for it): migrate',
  ]);
});

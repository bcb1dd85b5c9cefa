/** The data model of a deploy: which services run once, what an unchanged one gets, and the one start command. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appModel } from '../../src/compose/app-model.js';
import { parseCompose } from '../../src/compose/parse.js';
import { State, type Deployment } from '../../src/state/schema.js';
import { planDeploy } from '../../src/commands/app-deploy/plan.js';
import { startCommand } from '../../src/commands/app-deploy/upload.js';
import type { DyniaError } from '../../src/errors.js';
import { deploymentRecord, nodeRecord } from './records.js';
import { plainCompose } from './workflow-fakes.js';

const node = nodeRecord('web-1', { ip: '203.0.113.10' });
/** The active blue version of the app on web-1. */
const shopBlue = (extra: Partial<Deployment> = {}) => deploymentRecord('web-1', 'shop-blue', { app: 'shop', composeHash: 'h0', ...extra });
const TEXT = `services:
  web: {build: ./web, expose: ["8080"], volumes: ["./site.conf:/etc/site.conf:ro"]}
  worker: {image: w}
  db: {image: pg, volumes: ["dbdata:/var/lib/pg"]}
  files: {image: f, volumes: ["./uploads:/uploads"]}
volumes: {dbdata: {}}
`;
const file = parseCompose(TEXT, 'c.yaml');
const model = appModel(file, (p) => (p === 'site.conf' ? 'file' : p === 'web' ? 'dir' : 'missing'));
const files = [
  { path: 'web/Dockerfile', size: 10, mode: 0o644, hash: 'a'.repeat(64), secret: false },
  { path: 'site.conf', size: 5, mode: 0o644, hash: 'b'.repeat(64), secret: false },
];
const plan = (deployments: Deployment[], f = files) =>
  planDeploy(State.parse({ version: 1, nodes: [node], deployments }), {
    node: 'web-1',
    app: 'shop',
    file,
    model,
    files: f,
    hash: 'h',
    force: false,
  });
const strip = (argv: readonly string[]) =>
  plainCompose(argv)
    .join(' ')
    .replace(/ (-f|--project-directory|--env-file) \S+/g, '');

test('data services run once in <app>-data; only stateless ones side by side', () => {
  const p = plan([]);
  assert.deepEqual(p.stateless, ['web', 'worker']);
  assert.deepEqual(p.data, [
    { service: 'db', why: 'mounts volume dbdata', change: 'new' },
    { service: 'files', why: 'mounts the writable directory ./uploads', change: 'new' },
  ]);
  assert.equal(p.dataProject, 'shop-data');
  const cmd = startCommand(p);
  assert.deepEqual(cmd.slice(0, 2), ['sh', '-c']);
  assert.match(cmd[2]!, /^docker buildx version .*DOCKER_BUILDKIT=0/s, 'a built service: the builder is checked first');
  assert.equal(
    strip(cmd.slice(4)).replace(/^sh -c /, ''),
    [
      'docker compose -p shop-data up -d --no-deps --wait --pull always db files',
      'docker compose -p shop-blue up -d --no-deps --force-recreate --remove-orphans --pull always web worker',
    ].join(' && '),
  );
  assert.match(p.override.yaml, /image: dynia-shop-web:[0-9a-f]{16}/);
  assert.match(p.override.yaml, /source: \/opt\/dynia\/apps\/shop-blue\/src\/site\.conf/);
  assert.match(p.override.yaml, /source: \/opt\/dynia\/data\/shop\/uploads/);
  assert.match(p.dataOverride.yaml, /source: \/opt\/dynia\/apps\/shop-data\/src\/site\.conf/);
  assert.match(p.override.yaml, /dbdata:\n {4}name: shop_dbdata/);
});

test('an unchanged data service is left untouched; a changed one is recreated in place; the image tag follows the context only', () => {
  const first = plan([]);
  const active = shopBlue({ dataHashes: { ...first.dataHashes, files: 'old' } });
  const next = plan([active], [files[0]!, { ...files[1]!, hash: 'c'.repeat(64) }]);
  assert.equal(next.project, 'shop-green');
  assert.deepEqual(
    next.data.map((d) => [d.service, d.change]),
    [
      ['db', 'unchanged'],
      ['files', 'changed'],
    ],
  );
  assert.equal(
    strip(startCommand(next).slice(4)).replace(/^sh -c /, ''),
    [
      'docker compose -p shop-data up -d --no-deps --no-recreate --pull missing db',
      'docker compose -p shop-data up -d --no-deps --wait --force-recreate --pull always files',
      'docker compose -p shop-green up -d --no-deps --force-recreate --remove-orphans --pull always web worker',
    ].join(' && '),
  );
  const tag = (yaml: string) => /image: (dynia-shop-web:\S+)/.exec(yaml)![1];
  assert.equal(tag(next.override.yaml), tag(first.override.yaml), 'site.conf is not in the build context');
  assert.notEqual(tag(plan([], [{ ...files[0]!, hash: 'd'.repeat(64) }, files[1]!]).override.yaml), tag(first.override.yaml));
});

test('a data job (one that mounts a volume) runs again only when it changed: an unchanged one has done its work', () => {
  const jobFile = parseCompose(
    `services:
  web: {image: w, expose: ["8080"], depends_on: {seed: {condition: service_completed_successfully}}}
  db: {image: pg, volumes: ["dbdata:/var/lib/pg"]}
  seed: {image: s, volumes: ["dbdata:/seed"]}
volumes: {dbdata: {}}
`,
    'c.yaml',
  );
  const jobPlan = (deployments: Deployment[]) =>
    planDeploy(State.parse({ version: 1, nodes: [node], deployments }), {
      node: 'web-1',
      app: 'shop',
      file: jobFile,
      model: appModel(jobFile, () => 'missing'),
      files: [],
      hash: 'h',
      force: false,
    });
  const next = jobPlan([shopBlue({ dataHashes: jobPlan([]).dataHashes })]);
  assert.deepEqual(
    next.data.map((d) => [d.service, d.change]),
    [
      ['db', 'unchanged'],
      ['seed', 'unchanged'],
    ],
  );
  assert.equal(
    strip(startCommand(next)).replace(/^sh -c /, ''),
    [
      'docker compose -p shop-data up -d --no-deps --no-recreate --pull missing db',
      'docker compose -p shop-green up -d --no-deps --force-recreate --remove-orphans --pull always web',
    ].join(' && '),
  );
});

test('an entry that mounts a volume is refused with the label that allows it', () => {
  const f = parseCompose('services:\n  web: {image: wp, expose: ["80"], volumes: ["html:/var/www"]}\nvolumes: {html: {}}\n', 'c.yaml');
  assert.throws(
    () =>
      planDeploy(State.parse({ version: 1, nodes: [node], deployments: [] }), {
        node: 'web-1',
        app: 'wp',
        file: f,
        model: appModel(f, () => 'missing'),
        files: [],
        hash: 'h',
        force: false,
      }),
    (e: DyniaError) =>
      e.kind === 'input' &&
      /^c\.yaml:2:8: the entry service web mounts volume html/.test(e.message) &&
      /dynia\.data: "false"/.test(e.hint ?? ''),
  );
});

test('a previous deploy by an older Dynia (volumes per colour) is named in a warning, with how to copy the data', () => {
  const legacy = shopBlue();
  assert.deepEqual(
    plan([legacy]).warnings.map((w) => w.split(';')[0]),
    ['shop-blue was deployed by an older Dynia, which kept volumes per colour (shop-blue_dbdata)'],
  );
  assert.deepEqual(plan([]).warnings, []);
});

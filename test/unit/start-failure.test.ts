/** A failed start of the new version, told in the user's terms: exact messages and hints from compose's real output. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appModel } from '../../src/compose/app-model.js';
import { parseCompose } from '../../src/compose/parse.js';
import { planDeploy } from '../../src/commands/app-deploy/plan.js';
import { failedJob, startFailed } from '../../src/commands/app-deploy/start-failure.js';
import { State } from '../../src/state/schema.js';

const APP = [
  'services:',
  '  web:',
  '    build: ./web',
  '    expose: ["8080"]',
  '  db:',
  '    image: nosuch/db:9',
  '    volumes: ["data:/data"]',
  '  cache:',
  '    image: redis:7',
  'volumes:',
  '  data:',
  '',
].join('\n');

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
/** The version running on web-1, its db from another file: a new deploy recreates the db in place. */
const RUNNING = {
  node: 'web-1',
  app: 'shop',
  project: 'shop-blue',
  composeHash: 'before',
  entryService: 'web',
  entryPort: 8080,
  domain: 'web-1.example.com',
  status: 'active',
  dataHashes: { db: 'before' },
  createdAt: '2026-01-02T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
};

const planOn = (deployments: unknown[], text = APP) =>
  planDeploy(State.parse({ version: 1, nodes: [NODE], deployments }), {
    node: 'web-1',
    app: 'shop',
    file: parseCompose(text, 'compose.yaml'),
    model: appModel(parseCompose(text, 'compose.yaml'), () => 'dir'),
    files: [],
    hash: 'h',
    force: false,
  });
const plan = planOn([]);

const failed = (stderr: string, stdout = '', code = 1) => startFailed(plan, { code, stdout, stderr });

describe('startFailed', () => {
  test('images the node cannot pull: every service compose names, its image, the reason and the fix for its kind', () => {
    const e = failed(
      [
        ' db Pulling ',
        ' cache Pulling ',
        ' db Error Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 172.29.0.4:53: server misbehaving',
        ' cache Error Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 172.29.0.4:53: server misbehaving',
        'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 172.29.0.4:53: server misbehaving',
      ].join('\n'),
    );
    assert.equal(e.kind, 'remote');
    assert.equal(
      e.message,
      'the node could not pull the image of db (nosuch/db:9), cache (redis:7) on web-1: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 172.29.0.4:53: server misbehaving',
    );
    assert.equal(e.hint, "The node could not reach the image's registry: check the node's DNS and outbound access, then deploy again.");
  });

  test("Docker Hub's answer for a missing or private repository, on a terminal's progress line", () => {
    const e = failed(
      " ✘ db Error pull access denied for nosuch/db, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    );
    assert.equal(
      e.message,
      "the node could not pull the image of db (nosuch/db:9) on web-1: pull access denied for nosuch/db, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    );
    assert.equal(
      e.hint,
      'Check the image name and tag (nosuch/db:9) in the compose file; a private image needs the node logged in to its registry (docker login on the node).',
    );
  });

  test('a registry that refuses the node', () => {
    assert.equal(
      failed(' cache Error Head "https://ghcr.io/v2/acme/redis/manifests/7": unauthorized').hint,
      'The registry refused the node: make redis:7 public, or log the node in to its registry (docker login on the node).',
    );
  });

  test("the classic builder's failed step: the built service, the step, the build's last lines without progress bars", () => {
    const e = failed(
      [
        ' web Pulling ',
        ' web Warning Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: server misbehaving',
        "The command '/bin/sh -c npm ci' returned a non-zero code: 1",
      ].join('\n'),
      [
        'Step 1/3 : FROM node:20',
        `\x1b[1A\x1b[2K4e5d: Downloading [${'='.repeat(300)}]\x1b[1B`,
        'Step 2/3 : RUN npm ci',
        'npm ERR! missing package-lock.json',
      ].join('\n'),
    );
    assert.equal(
      e.message,
      [
        "the build of web failed on web-1: The command '/bin/sh -c npm ci' returned a non-zero code: 1",
        '--- last lines of the build ---',
        'Step 1/3 : FROM node:20',
        `4e5d: Downloading [${'='.repeat(221)}…`, // cut at 240 characters
        'Step 2/3 : RUN npm ci',
        'npm ERR! missing package-lock.json',
      ].join('\n'),
    );
    assert.equal(e.hint, 'Fix the Dockerfile or the build context of web; `docker compose build web` on your machine shows the same.');
  });

  test("BuildKit's failed step names its target", () => {
    assert.equal(
      failed('target web: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1').message,
      'the build of web failed on web-1: target web: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
    );
  });

  test('beside a running version: a pull leaves it serving; another failure while its db was recreated in place does not say so', () => {
    const redeploy = planOn([RUNNING]);
    assert.deepEqual(
      redeploy.data.map((d) => `${d.service}:${d.change}`),
      ['db:changed'],
    );
    assert.equal(
      startFailed(redeploy, { code: 18, stdout: '', stderr: ' cache Error manifest unknown' }).hint,
      'Check the image name and tag (redis:7) in the compose file; a private image needs the node logged in to its registry (docker login on the node). The running version keeps serving.',
    );
    assert.equal(
      startFailed(redeploy, { code: 1, stdout: '', stderr: 'container shop-data-db-1 exited (1)' }).hint,
      'Fix what compose says above and deploy again.',
    );
  });

  test("anything else: compose's own last lines, and no command line", () => {
    const e = failed('Error response from daemon: driver failed programming external connectivity', '', 17);
    assert.equal(
      e.message,
      'docker compose up failed on web-1 (exit 17):\nError response from daemon: driver failed programming external connectivity',
    );
    assert.equal(e.hint, 'Fix what compose says above and deploy again.');
  });

  test("a job another service waits to complete (a migration) that failed: which job, its exit code, its log's last lines", () => {
    const text = [
      'services:',
      '  web:',
      '    image: shop:2',
      '    expose: ["8080"]',
      '    depends_on:',
      '      migrate: {condition: service_completed_successfully}',
      '  migrate:',
      '    image: shop:2',
      '    command: ["./migrate"]',
      '',
    ].join('\n');
    const jobPlan = planOn([{ ...RUNNING, dataHashes: {} }], text);
    // compose 2.26's own words
    const stderr = [
      ' Container shop-green-migrate-1  Waiting',
      ' Container shop-green-migrate-1  service "migrate" didn\'t complete successfully: exit 3',
      'service "migrate" didn\'t complete successfully: exit 3',
    ].join('\n');
    const result = { code: 1, stdout: '', stderr };
    assert.deepEqual(failedJob(jobPlan, result), { service: 'migrate', exit: '3', project: 'shop-green' });
    const e = startFailed(jobPlan, result, 'migrate-1  | applying 0042_orders\nmigrate-1  | ERROR: column "total" already exists\n');
    assert.equal(
      e.message,
      [
        'the job migrate failed on web-1 (exit 3), so the services that wait for it were not started',
        '--- last lines of its log ---',
        'migrate-1  | applying 0042_orders',
        'migrate-1  | ERROR: column "total" already exists',
      ].join('\n'),
    );
    assert.equal(
      e.hint,
      'Fix what migrate reports and deploy again; `docker compose run --rm migrate` on your machine runs it the same way. The running version keeps serving.',
    );
    // the same words about a service that is no job of this file are compose's own failure
    assert.equal(failedJob(plan, result), undefined);
  });
});

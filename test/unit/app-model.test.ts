/** The app directory as a deploy unit: interpolation, references that may not leave it, data vs stateless, uploads. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AppDir } from '../../src/compose/app-files.js';
import { appModel } from '../../src/compose/app-model.js';
import { interpolate, parseDotenv } from '../../src/compose/interpolate.js';
import { parseCompose } from '../../src/compose/parse.js';
import { diffTree } from '../../src/node/app-sync.js';
import type { DyniaError } from '../../src/errors.js';

const input = (re: RegExp) => (e: DyniaError) => e.kind === 'input' && re.test(e.message);

describe('interpolation', () => {
  const env = new Map([
    ['A', 'x'],
    ['E', ''],
  ]);
  test('compose forms', () => {
    assert.equal(interpolate('$A ${A} ${B:-d} ${E:-d} ${E-d} ${A:+y} ${B+y} $$A ${B:-${A}}', env, 'f:1'), 'x x d d  y  $A x');
  });
  test('a required variable that is missing or empty is refused, naming it and the place', () => {
    assert.throws(
      () => interpolate('${DB_PASSWORD:?set it in .env}', env, 'compose.yaml:7:9'),
      input(/^compose\.yaml:7:9: required variable DB_PASSWORD is not set: set it in \.env\.$/),
    );
    assert.throws(() => interpolate('${E:?}', env, 'f:1'), input(/E is empty/));
    assert.equal(interpolate('${E?}', env, 'f:1'), '');
  });
  test('.env syntax', () => {
    const parsed = parseDotenv('# c\nexport A=1\nB=\'lit $A\'\nC="q ${A}\\n"\nD=v # note\n', '.env');
    assert.deepEqual(Object.fromEntries(parsed), { A: '1', B: 'lit $A', C: 'q 1\n', D: 'v' });
    assert.throws(() => parseDotenv('1X=2\n', '.env'), input(/^\.env:1: /));
  });
  test('parseCompose interpolates values with file:line:col in errors', () => {
    const file = parseCompose('services:\n  web:\n    image: "shop:${TAG:-1}"\n', 'c.yaml');
    assert.equal(file.services[0]!.raw.image, 'shop:1');
    assert.throws(() => parseCompose('services:\n  web:\n    image: ${IMG:?}\n', 'c.yaml'), input(/^c\.yaml:3:12: required variable IMG/));
  });
});

describe('appModel', () => {
  const model = (text: string, kinds: Record<string, 'file' | 'dir'> = {}) =>
    appModel(parseCompose(text, 'c.yaml'), (p) => kinds[p] ?? 'missing');
  test('data: named/anonymous volumes and writable directories; config: read-only mounts and files; labels override', () => {
    const m = model(
      `services:
  web: {image: a, volumes: ["./nginx.conf:/etc/nginx.conf", "./static:/srv:ro"]}
  db: {image: b, volumes: ["dbdata:/var/lib/db"]}
  files: {image: c, volumes: ["./uploads:/uploads"]}
  cache: {image: d, volumes: ["/tmp/x"]}
  shared: {image: e, volumes: ["dbdata:/d"], labels: {dynia.data: "false"}}
  sock: {image: f, volumes: ["/var/run/docker.sock:/var/run/docker.sock"]}
volumes: {dbdata: {}, ext: {external: true}}
`,
      { 'nginx.conf': 'file', static: 'dir' },
    );
    assert.deepEqual(
      m.services.map((s) => [s.name, s.data, s.why]),
      [
        ['web', false, 'no volume or writable directory'],
        ['db', true, 'mounts volume dbdata'],
        ['files', true, 'mounts the writable directory ./uploads'],
        ['cache', true, 'mounts an anonymous volume at /tmp/x'],
        ['shared', false, 'label dynia.data=false'],
        ['sock', false, 'no volume or writable directory'],
      ],
    );
    assert.deepEqual(
      m.services[0]!.mounts.map((x) => x.kind),
      ['config', 'config'],
    );
    assert.deepEqual(m.volumes, ['dbdata']);
    assert.deepEqual(m.networks, [{ key: 'default', internal: false, services: ['web', 'db', 'files', 'cache', 'shared', 'sock'] }]);
    assert.match(m.warnings[0]!, /\/var\/run\/docker\.sock is a path on the node, not uploaded/);
  });
  test('a job: a service another waits for with condition service_completed_successfully (the list form waits for a start only)', () => {
    const m = model(`services:
  web: {image: a, depends_on: {migrate: {condition: service_completed_successfully}, cache: {condition: service_started}}}
  worker: {image: a, depends_on: [seed]}
  migrate: {image: a}
  seed: {image: a}
  cache: {image: c}
`);
    assert.deepEqual(
      m.services.map((s) => [s.name, s.job]),
      [
        ['web', false],
        ['worker', false],
        ['migrate', true],
        ['seed', false],
        ['cache', false],
      ],
    );
  });
  test('references: build context, env_file (secret), secret files (secret), config files', () => {
    const m = model(`services:
  web:
    build: {context: ./app, dockerfile: Dockerfile.prod}
    env_file: [web.env, {path: opt.env, required: false}]
    secrets: [tok]
secrets: {tok: {file: ./secrets/tok.txt}, envtok: {environment: TOK}}
configs: {site: {file: site.conf}}
`);
    assert.deepEqual(
      m.refs.map((r) => [r.kind, r.path, r.secret, r.optional]),
      [
        ['env_file', 'web.env', true, false],
        ['env_file', 'opt.env', true, true],
        ['build', 'app', false, false],
        ['secret', 'secrets/tok.txt', true, false],
        ['config', 'site.conf', false, false],
      ],
    );
  });
  test('a reference that leaves the app directory is refused, naming file and line', () => {
    assert.throws(
      () => model('services:\n  web:\n    build: ../other\n'),
      input(/^c\.yaml:3:12: build context \.\.\/other leaves the app directory/),
    );
    assert.throws(
      () => model('services:\n  web:\n    build: {context: /srv/app}\n'),
      input(/^c\.yaml:3:22: build context \/srv\/app is outside the app directory/),
    );
    assert.throws(
      () => model('services:\n  web:\n    image: a\n    volumes: ["../data:/d"]\n'),
      input(/^c\.yaml:4:15: bind-mount source \.\.\/data leaves/),
    );
    assert.throws(
      () => model('services:\n  web:\n    image: a\n    env_file: ../secrets.env\n'),
      input(/^c\.yaml:4:15: env_file \.\.\/secrets\.env leaves/),
    );
    assert.throws(
      () => model('services:\n  web: {image: a}\nsecrets:\n  s: {file: /etc/shadow}\n'),
      input(/^c\.yaml:4:13: secret file \/etc\/shadow is outside/),
    );
    assert.throws(
      () => model('services:\n  web: {image: a}\nnetworks:\n  default: {ipam: {config: [{subnet: 10.0.0.0/24}]}}\n'),
      input(/network default sets ipam/),
    );
  });
});

describe('AppDir', () => {
  const dir = () => {
    const root = mkdtempSync(join(tmpdir(), 'dynia-appdir-'));
    const outside = mkdtempSync(join(tmpdir(), 'dynia-outside-'));
    writeFileSync(join(outside, 'secret'), 'outside');
    mkdirSync(join(root, 'app/node_modules'), { recursive: true });
    writeFileSync(join(root, 'app/Dockerfile'), 'FROM x\n');
    writeFileSync(join(root, 'app/main.js'), 'x');
    writeFileSync(join(root, 'app/node_modules/dep.js'), 'y');
    writeFileSync(join(root, 'app/.dockerignore'), 'node_modules\nDockerfile\n');
    writeFileSync(join(root, 'app/notes.md'), 'z');
    writeFileSync(join(root, '.dyniaignore'), 'app/*.md\n');
    writeFileSync(join(root, 'web.env'), 'A=1\n');
    return { root, outside };
  };
  test('uploads what is referenced, minus .dockerignore (context) and .dyniaignore; env files 0600 with a hash that hides them', () => {
    const { root } = dir();
    const files = new AppDir(root).collect([
      { kind: 'build', path: 'app', where: 'c:1', secret: false, optional: false, dockerfile: 'Dockerfile' },
      { kind: 'env_file', path: 'web.env', where: 'c:2', secret: true, optional: false },
    ]);
    assert.deepEqual(
      files.map((f) => [f.path, f.mode, f.secret]),
      [
        ['app/.dockerignore', 0o644, false],
        ['app/Dockerfile', 0o644, false],
        ['app/main.js', 0o644, false],
        ['web.env', 0o600, true],
      ],
    );
    assert.notEqual(files[3]!.hash, '8c2c3a3ebb8f8ad3b9b3c0d4cd4a7e3c'); // not a plain digest anyone can recompute from a guess
    assert.match(files[3]!.hash, /^[0-9a-f]{64}$/);
  });
  test('a missing required file and a symlink out of the directory are refused', () => {
    const { root, outside } = dir();
    assert.throws(
      () => new AppDir(root).collect([{ kind: 'secret', path: 'nope.txt', where: 'c.yaml:9:11', secret: true, optional: false }]),
      input(/^c\.yaml:9:11: secret file \.\/nope\.txt does not exist/),
    );
    symlinkSync(join(outside, 'secret'), join(root, 'app/link'));
    assert.throws(
      () => new AppDir(root).collect([{ kind: 'build', path: 'app', where: 'c.yaml:3:12', secret: false, optional: false }]),
      input(/^c\.yaml:3:12: app\/link is a symlink that points outside the app directory/),
    );
  });
});

test('diffTree: only new or changed files travel; gone ones are deleted', () => {
  const f = (path: string, hash: string) => ({ path, hash, mode: 0o644, size: 1, secret: false });
  const diff = diffTree([f('a', '1'), f('b', '2'), f('c', '3')], { hash: 'h', files: [f('a', '1'), f('b', 'old'), f('gone', 'x')] });
  assert.deepEqual({ send: diff.send.map((x) => x.path), deleted: diff.deleted }, { send: ['b', 'c'], deleted: ['gone'] });
});

describe('loadApp', () => {
  const app = (files: Record<string, string>) => {
    const root = mkdtempSync(join(tmpdir(), 'dynia-load-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  };
  const COMPOSE = 'services:\n  web:\n    image: "shop:${TAG:?set TAG}"\n    expose: ["80"]\n';
  test('.env next to the file, or every --env-file in order; the bytes are what the node interpolates with', async () => {
    const { loadApp } = await import('../../src/compose/app-source.js');
    const root = app({ 'compose.yaml': COMPOSE, '.env': 'TAG=1\n', 'prod.env': 'TAG=2\n', 'extra.env': 'X=1\n' });
    assert.equal(loadApp(join(root, 'compose.yaml')).file.services[0]!.raw.image, 'shop:1');
    const prod = loadApp(join(root, 'compose.yaml'), [join(root, 'prod.env'), join(root, 'extra.env')]);
    assert.equal(prod.file.services[0]!.raw.image, 'shop:2');
    assert.equal(prod.interpolationEnv, 'TAG=2\n\nX=1\n');
    assert.notEqual(prod.hash, loadApp(join(root, 'compose.yaml')).hash, 'other variables, another deploy');
  });
  test('a missing variable, and an env file outside the directory, are refused', async () => {
    const { loadApp } = await import('../../src/compose/app-source.js');
    const root = app({ 'compose.yaml': COMPOSE });
    assert.throws(() => loadApp(join(root, 'compose.yaml')), input(/compose\.yaml:3:12: required variable TAG is not set: set TAG/));
    const outside = app({ 'x.env': 'TAG=1\n' });
    assert.throws(
      () => loadApp(join(root, 'compose.yaml'), [join(outside, 'x.env')]),
      input(/--env-file .*x\.env: env file .* leaves the app directory/),
    );
  });
});

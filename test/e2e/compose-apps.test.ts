/**
 * A real multi-service compose app (examples/shop) on the sandbox: built on the node, data service with a named
 * volume, mounted config file, writable data directory, .env, env_file and a secret. Five redeploys under steady
 * HTTPS load, the data service watched on the node while it happens, every refusal leaving the node unchanged.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startLoad } from '../../bench/lib.js';
import { SANDBOX } from '../../sandbox/layout.js';
import { ROOT, cli, destroyNodes, httpsGet, newStateDir, readState, skipReason, ssh, sshArgv, sshSettled } from './helpers.js';

const skip = skipReason();
const NODE = 'e2e-c';
const URL_ = 'https://shop.dynia.test';
const OUTSIDE_SECRET = 'outside-value-never-uploaded';

describe('compose apps as written', { skip }, () => {
  const stateDir = newStateDir();
  const work = mkdtempSync(join(tmpdir(), 'dynia-shop-'));
  const app = join(work, 'shop');
  const compose = join(app, 'compose.yaml');
  let ip = '';
  const deploy = (...extra: string[]) => cli(['app:deploy', '--node', NODE, '--compose', compose, '--json', ...extra], { stateDir });
  const edit = (path: string, text: string) => writeFileSync(join(app, path), text);
  const get = async (path: string) => (await httpsGet(`${URL_}${path}`, { ip })).body.trim();
  const onNode = async (command: string) => (await ssh(ip, command)).stdout.trim();
  const notes = () => onNode('docker exec shop-data-db-1 cat /data/notes.txt');

  before(async () => {
    cpSync(join(ROOT, 'examples/shop'), app, { recursive: true });
    mkdirSync(join(work, 'outside'));
    writeFileSync(join(work, 'outside/secret.txt'), OUTSIDE_SECRET);
    const r = await cli(['node:create', '--name', NODE], { stateDir });
    assert.equal(r.code, 0, r.stderr);
    ip = readState(stateDir).nodes[0].ip;
  });
  after(async () => {
    await destroyNodes(stateDir, [NODE]);
    rmSync(work, { recursive: true, force: true });
  });

  test('--dry-run prints the plan without contacting the node', async () => {
    const r = await cli(['app:deploy', '--node', NODE, '--compose', compose, '--dry-run', '--json'], {
      stateDir,
      env: { DYNIA_SSH_KEY: '/nonexistent' },
    });
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout);
    assert.deepEqual(plan.entry, { service: 'web', port: 8080, domain: 'shop.dynia.test' });
    assert.equal(plan.app, 'shop');
    assert.deepEqual(plan.sideBySide, ['web']);
    assert.deepEqual(plan.jobs, []);
    assert.deepEqual(
      plan.data.map((d: any) => [d.service, d.why]),
      [['db', 'mounts volume dbdata']],
    );
    assert.deepEqual(plan.dataDirectories, ['./backups']);
    assert.ok(plan.files.some((f: any) => f.path === 'secrets/db_token.txt' && f.secret));
    assert.ok(!plan.files.some((f: any) => f.path.includes('outside')));
    assert.equal(await onNode('ls /opt/dynia/apps'), '');
  });

  test('the app deploys: built web, data service, config file, env, secret; isolated and stored root-only', async () => {
    const r = await deploy();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await get('/'), 'shop v1');
    assert.equal(await get('/info'), 'greeting=hello mode=demo config=v1');
    await onNode("docker exec shop-data-db-1 sh -c 'echo note-1 >> /data/notes.txt; echo mine > /backups/mine.txt'");
    assert.equal(await get('/notes'), 'note-1', 'web reaches db across projects');
    assert.equal(await onNode('docker volume ls -q | grep shop'), 'shop_dbdata');
    assert.doesNotMatch(await onNode("docker inspect -f '{{json .NetworkSettings.Networks}}' shop-data-db-1"), /"edge"/);
    const token = readFileSync(join(app, 'secrets/db_token.txt'), 'utf8').trim();
    const holders = (await onNode(`grep -rl ${token} /opt/dynia /var/lib/docker/containers 2>/dev/null | sort`)).split('\n');
    assert.deepEqual(holders, ['/opt/dynia/apps/shop-blue/src/secrets/db_token.txt', '/opt/dynia/apps/shop-data/src/secrets/db_token.txt']);
    assert.equal(
      await onNode(
        'stat -c "%a %U" /opt/dynia/apps/shop-blue/src/secrets/db_token.txt /opt/dynia/apps/shop-blue/src/web.env /opt/dynia/apps/shop-blue/interpolation.env | sort -u',
      ),
      '600 root',
    );
    assert.doesNotMatch(readFileSync(join(stateDir, 'state.json'), 'utf8') + r.stdout + r.stderr, new RegExp(token));
  });

  test('two apps with a db each never see each other: only the entries share edge', async () => {
    const other = join(work, 'other');
    mkdirSync(other);
    writeFileSync(
      join(other, 'compose.yaml'),
      [
        'services:',
        '  web:',
        '    image: caddy:2',
        '    command: ["caddy", "respond", "--listen", ":8080", "--body", "other"]',
        '    expose: ["8080"]',
        '    labels: {dynia.domain: other-e2e.dynia.test}',
        '  db:',
        '    image: busybox:1.36',
        '    init: true',
        '    command: ["sleep", "3600"]',
        '    volumes: ["dbdata:/data"]',
        'volumes: {dbdata: {}}',
        '',
      ].join('\n'),
    );
    const r = await cli(['app:deploy', '--node', NODE, '--compose', join(other, 'compose.yaml')], { stateDir });
    assert.equal(r.code, 0, r.stderr);
    const members = async (network: string) =>
      (await onNode(`docker network inspect -f '{{range .Containers}}{{.Name}} {{end}}' ${network}`)).split(' ').filter(Boolean).sort();
    assert.deepEqual(await members('shop_default'), ['shop-blue-web-1', 'shop-data-db-1']);
    assert.deepEqual(await members('other_default'), ['other-blue-web-1', 'other-data-db-1']);
    assert.deepEqual(
      (await members('edge')).filter((n) => n.includes('db')),
      [],
    );
    assert.deepEqual((await onNode('docker volume ls -q | grep _dbdata')).split('\n'), ['other_dbdata', 'shop_dbdata']);
  });

  test('five redeploys under load: 0 failed, data kept, one db container at every moment', async () => {
    const stop = startLoad({ url: `${URL_}/`, ip, connections: 16, expect: /shop v\d/ });
    // Observe the node itself: how many db containers run, sampled all along.
    const watch = spawn(
      'ssh',
      sshArgv(
        ip,
        "while :; do docker ps --filter label=com.docker.compose.service=db --format '{{.Names}}' | grep -c '^shop-'; sleep 0.2; done",
      ),
    );
    let watched = '';
    watch.stdout.on('data', (chunk) => (watched += chunk));
    const dbId = () => onNode("docker ps --filter label=com.docker.compose.service=db --format '{{.ID}} {{.Names}}' | grep ' shop-'");
    const steps: Array<[string, () => void, () => Promise<void>]> = [
      ['code', () => edit('web/www/index.html', 'shop v2\n'), async () => assert.equal(await get('/'), 'shop v2')],
      [
        'config file',
        () => edit('config/Caddyfile', readFileSync(join(app, 'config/Caddyfile'), 'utf8').replace('config=v1', 'config=v2')),
        async () => assert.match(await get('/info'), /config=v2/),
      ],
      ['secret', () => edit('secrets/db_token.txt', 'demo-token-2\n'), async () => assert.equal(await get('/notes'), 'note-1')],
      [
        '.env',
        () => edit('.env', readFileSync(join(app, '.env'), 'utf8').replace('GREETING=hello', 'GREETING=hi')),
        async () => assert.match(await get('/info'), /greeting=hi/),
      ],
    ];
    const results: any[] = [];
    try {
      await new Promise((r) => setTimeout(r, 2000));
      for (const [what, change, check] of steps) {
        const db = await dbId();
        change();
        const r = await deploy();
        assert.equal(r.code, 0, `${what}: ${r.stderr}`);
        results.push(JSON.parse(r.stdout));
        await check();
        assert.equal(await notes(), 'note-1', `data kept after the ${what} change`);
        if (what === 'secret') {
          assert.match(r.stderr, /data recreated in place: db/);
          assert.notEqual(await dbId(), db, 'the db was recreated in place');
        } else {
          assert.equal(await dbId(), db, `the db is left untouched by the ${what} change`);
        }
      }
      const r = await cli(['app:rollback', '--node', NODE, '--app', 'shop'], { stateDir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(await get('/info'), /greeting=hello/);
      assert.equal(await notes(), 'note-1');
    } finally {
      watch.kill();
    }
    const samples = await stop();
    const failed = samples.filter((s) => !s.ok);
    assert.equal(
      failed.length,
      0,
      `failed: ${failed
        .slice(0, 3)
        .map((s) => s.error)
        .join('; ')}`,
    );
    assert.ok(samples.length > 1000, `${samples.length} requests`);
    const counts = watched.trim().split('\n').map(Number);
    assert.ok(counts.length > 20, 'the watcher sampled the node');
    assert.equal(Math.max(...counts), 1, 'never two db containers');
    assert.equal(await onNode('docker volume ls -q | grep shop'), 'shop_dbdata');
    assert.equal(await onNode('cat /opt/dynia/data/shop/backups/mine.txt'), 'mine', 'the writable directory is kept');
    // A code change sends about that file; Dynia's own files are the rest.
    assert.ok(results[0].uploadedBytes < 64 * 1024, `${results[0].uploadedBytes} bytes for a one-file change`);
  });

  test('a retired version stays down after the node reboots, whatever its restart policy', async () => {
    const before = (await sshSettled(ip, "docker ps --format '{{.Names}}' | grep shop- | sort")).stdout.trim();
    const host = (
      await new Promise<string>((resolve) => {
        const p = spawn('docker', ['ps', '-q', '--filter', `name=${SANDBOX.dropletPrefix}`]);
        let out = '';
        p.stdout.on('data', (c) => (out += c));
        p.on('close', () => resolve(out));
      })
    )
      .trim()
      .split('\n');
    const mine: string[] = [];
    for (const id of host) {
      const inspect = await new Promise<string>((resolve) => {
        const p = spawn('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id]);
        let out = '';
        p.stdout.on('data', (c) => (out += c));
        p.on('close', () => resolve(out.trim()));
      });
      if (inspect === ip) mine.push(id);
    }
    assert.equal(mine.length, 1);
    await new Promise<void>((resolve) => spawn('docker', ['restart', mine[0]!]).on('close', () => resolve()));
    let after = '';
    for (let i = 0; i < 60 && after !== before; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      after = await onNode("docker ps --format '{{.Names}}' | grep shop- | sort");
    }
    assert.equal(after, before, 'the same containers run after the reboot');
    assert.match(await get('/info'), /greeting=hello/);
  });

  describe('refusals leave the node unchanged and read nothing outside the app directory', () => {
    const snapshot = async () =>
      (
        await sshSettled(
          ip,
          'ls -R /opt/dynia/apps /opt/dynia/data | md5sum; docker ps -a --format "{{.Names}} {{.State}}" | sort; docker volume ls -q; docker network ls --format "{{.Name}}" | sort',
        )
      ).stdout.trim();
    const cases: Array<[string, () => void, RegExp]> = [
      [
        'a build context outside the directory',
        () => edit('compose.yaml', readFileSync(compose, 'utf8').replace('build: ./web', 'build: ../outside')),
        /compose\.yaml:\d+:\d+: build context \.\.\/outside leaves the app directory/,
      ],
      [
        'an absolute build context',
        () => edit('compose.yaml', readFileSync(compose, 'utf8').replace('build: ./web', `build: ${join(work, 'outside')}`)),
        /build context .* is outside the app directory/,
      ],
      [
        'a secret file outside the directory',
        () => edit('compose.yaml', readFileSync(compose, 'utf8').replace('file: ./secrets/db_token.txt', 'file: ../outside/secret.txt')),
        /secret file \.\.\/outside\/secret\.txt leaves/,
      ],
      [
        'a symlink pointing outside',
        () => symlinkSync(join(work, 'outside/secret.txt'), join(app, 'web/www/leak.txt')),
        /web\/www\/leak\.txt is a symlink that points outside the app directory/,
      ],
      [
        'a missing required variable',
        () => edit('.env', 'SHOP_DOMAIN=shop.dynia.test\n'),
        /required variable GREETING is not set: set GREETING in \.env/,
      ],
      ['a missing env file', () => rmSync(join(app, 'web.env')), /env_file \.\/web\.env does not exist/],
      ['a missing secret file', () => rmSync(join(app, 'secrets/db_token.txt')), /secret file \.\/secrets\/db_token\.txt does not exist/],
      [
        'an entry that mounts a volume',
        () =>
          edit(
            'compose.yaml',
            readFileSync(compose, 'utf8').replace(
              '      - ./config/Caddyfile:/etc/caddy/Caddyfile:ro',
              '      - ./config/Caddyfile:/etc/caddy/Caddyfile:ro\n      - dbdata:/srv/data',
            ),
          ),
        /the entry service web mounts volume dbdata[\s\S]*dynia\.data: "false"/,
      ],
      [
        'a file docker compose refuses on the node',
        () => edit('compose.yaml', readFileSync(compose, 'utf8').replace('depends_on: [db]', 'depends_on: [nope]')),
        /docker compose on e2e-c refuses the file:[\s\S]*nope/,
      ],
      [
        'an entry under a profile',
        () => edit('compose.yaml', readFileSync(compose, 'utf8').replace('    build: ./web', '    build: ./web\n    profiles: [debug]')),
        /the entry service web is only started under profile debug/,
      ],
    ];
    for (const [what, breakIt, message] of cases) {
      test(what, async () => {
        const pristine = mkdtempSync(join(tmpdir(), 'dynia-shop-keep-'));
        cpSync(app, pristine, { recursive: true });
        const state = readFileSync(join(stateDir, 'state.json'), 'utf8');
        const node = await snapshot();
        try {
          breakIt();
          const r = await cli(['app:deploy', '--node', NODE, '--compose', compose], { stateDir });
          assert.equal(r.code, 2, r.stderr);
          assert.match(r.stderr, message);
          assert.equal(await snapshot(), node);
          assert.equal(readFileSync(join(stateDir, 'state.json'), 'utf8'), state);
          assert.equal(await onNode(`grep -rl ${OUTSIDE_SECRET} /opt/dynia 2>/dev/null | wc -l`), '0');
        } finally {
          rmSync(app, { recursive: true, force: true });
          cpSync(pristine, app, { recursive: true });
          rmSync(pristine, { recursive: true, force: true });
        }
      });
    }
  });
});

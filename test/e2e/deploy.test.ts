/**
 * app:deploy on the sandbox: real compose projects on a node host, Caddy swaps, HTTPS checks and rollbacks.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cli, destroyNodes, httpsGet, newStateDir, readState, pushHello, skipReason, ssh, sshSettled } from './helpers.js';

const skip = skipReason();
const files = mkdtempSync(join(tmpdir(), 'dynia-apps-'));
const write = (name: string, text: string) => {
  const path = join(files, name);
  writeFileSync(path, text);
  return path;
};
const hello = (version: number) =>
  write(`hello-v${version}.yaml`, `services:\n  web:\n    image: dynia-examples/hello:${version}\n    init: true\n    expose: ["8080"]\n`);

describe('app:deploy', { skip }, () => {
  const stateDir = newStateDir();
  let ip = '';
  const deploy = (path: string, ...extra: string[]) =>
    cli(['app:deploy', '--node', 'e2e-d', '--compose', path, '--name', 'hello', ...extra], { stateDir });
  const nodeSnapshot = async () =>
    (
      await sshSettled(
        ip,
        'ls /opt/dynia/apps; docker ps -a --format "{{.Names}} {{.State}}" | sort; md5sum /opt/dynia/proxy/Caddyfile /opt/dynia/node.json',
      )
    ).stdout;

  before(async () => {
    await pushHello(1, 2);
    const r = await cli(['node:create', '--name', 'e2e-d'], { stateDir });
    assert.equal(r.code, 0, r.stderr);
    ip = readState(stateDir).nodes[0].ip;
  });
  after(async () => destroyNodes(stateDir, ['e2e-d']));

  test('a healthy deploy routes https://<node fqdn>/ to the app', async () => {
    const r = await deploy(hello(1));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'https://e2e-d.dynia.test/');
    assert.equal((await httpsGet('https://e2e-d.dynia.test/')).body.trim(), 'hello from dynia example v1');
    const [d] = readState(stateDir).deployments;
    assert.deepEqual(
      {
        node: d.node,
        app: d.app,
        project: d.project,
        entryService: d.entryService,
        entryPort: d.entryPort,
        domain: d.domain,
        status: d.status,
      },
      {
        node: 'e2e-d',
        app: 'hello',
        project: 'hello-blue',
        entryService: 'web',
        entryPort: 8080,
        domain: 'e2e-d.dynia.test',
        status: 'active',
      },
    );
    assert.match(d.composeHash, /^[0-9a-f]{64}$/);
    const manifest = JSON.parse((await ssh(ip, 'cat /opt/dynia/node.json')).stdout);
    assert.equal(manifest.deployments[0].project, 'hello-blue');
    // An entry alone on its app's default network joins edge only, and no hello_default is made.
    const nets = await ssh(
      ip,
      `docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' hello-blue-web-1; docker network ls --format '{{.Name}}'`,
    );
    assert.equal(nets.stdout.split('\n')[0]!.trim(), 'edge');
    assert.doesNotMatch(nets.stdout, /hello_default/);
  });

  test('the same file again is a no-op that says so', async () => {
    const r = await deploy(hello(1));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /nothing to do/);
  });

  test('a new version swaps (blue → green) without a Caddy reload; the old one is stopped', async () => {
    const r = await deploy(hello(2));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no Caddy reload/);
    assert.equal((await httpsGet('https://e2e-d.dynia.test/')).body.trim(), 'hello from dynia example v2');
    const statuses = readState(stateDir).deployments.map((d: any) => `${d.project}:${d.status}`);
    assert.deepEqual(statuses, ['hello-blue:superseded', 'hello-green:active']);
    assert.match((await sshSettled(ip, 'docker ps -a --format "{{.Names}} {{.State}}"')).stdout, /hello-blue-web-1 exited/);
  });

  test('an app that never becomes healthy is refused with its logs; the old version keeps serving', async () => {
    const path = write(
      'never.yaml',
      `services:\n  web:\n    image: busybox:1.36\n    init: true\n    expose: ["8080"]\n    command: ["sh", "-c", "echo starting the never-ready app; sleep 3600"]\n`,
    );
    const r = await deploy(path, '--timeout', '3s');
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /did not answer 2xx\/3xx within 3 s/);
    assert.match(r.stderr, /starting the never-ready app/);
    assert.equal((await httpsGet('https://e2e-d.dynia.test/')).body.trim(), 'hello from dynia example v2');
    assert.doesNotMatch((await ssh(ip, 'docker ps -a --format "{{.Names}}"')).stdout, /hello-blue/, 'the failed project was removed');
    const last = readState(stateDir).deployments.at(-1);
    assert.equal(last.status, 'failed');
  });

  test("an image the node cannot pull, and a build that fails: each named with compose's reason and the fix; the old version keeps serving; the node's manifest records the failures", async () => {
    const unpullable = write('unpullable.yaml', 'services:\n  web:\n    image: dynia-examples/no-such-image:1\n    expose: ["8080"]\n');
    const pull = await deploy(unpullable);
    assert.equal(pull.code, 5, pull.stderr);
    assert.match(pull.stderr, /the node could not pull the image of web \(dynia-examples\/no-such-image:1\) on e2e-d: /);
    assert.match(pull.stderr, /check the node's DNS and outbound access/); // the mirror lacks it; Docker Hub is out of reach
    assert.doesNotMatch(pull.stderr, /renice|--project-directory/, "Dynia's command line is left out");
    mkdirSync(join(files, 'broken'), { recursive: true });
    writeFileSync(join(files, 'broken', 'Dockerfile'), 'FROM busybox:1.36\nRUN echo compiling the app && exit 3\n');
    const built = write('broken.yaml', 'services:\n  web:\n    build: ./broken\n    expose: ["8080"]\n');
    const build = await deploy(built);
    assert.equal(build.code, 5, build.stderr);
    assert.match(build.stderr, /the build of web failed on e2e-d: .*(exit code: 3|non-zero code: 3)/);
    assert.match(build.stderr, /--- last lines of the build ---[\s\S]*compiling the app/);
    assert.match(build.stderr, /Fix the Dockerfile or the build context of web.*The running version keeps serving\./);
    assert.equal((await httpsGet('https://e2e-d.dynia.test/')).body.trim(), 'hello from dynia example v2');
    const manifest = JSON.parse((await ssh(ip, 'cat /opt/dynia/node.json')).stdout);
    assert.deepEqual(manifest.deployments, readState(stateDir).deployments, 'no repair left for the next run');
  });

  test('an app that fails its external check is rolled back to the previous version', async () => {
    const path = write(
      'external.yaml',
      `services:\n  web:\n    image: dynia-examples/hello:1\n    init: true\n    expose: ["8080"]\n    labels:\n      dynia.domain: app.example.org\n`,
    );
    const r = await deploy(path, '--timeout', '4s');
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /Rolled back: the previous version hello-green serves e2e-d\.dynia\.test again/);
    assert.equal((await httpsGet('https://e2e-d.dynia.test/')).body.trim(), 'hello from dynia example v2');
    const state = readState(stateDir);
    assert.equal(state.deployments.find((d: any) => d.status === 'active').project, 'hello-green');
    assert.match(state.deployments.at(-1).reason, /app\.example\.org/);
  });

  test('labels dynia.entry, dynia.port and dynia.domain choose the entry point', async () => {
    const path = write(
      'api.yaml',
      [
        'services:',
        '  api:',
        '    image: busybox:1.36',
        '    init: true',
        '    command: ["sh", "-c", "mkdir -p /w && echo api on 9090 > /w/index.html && exec httpd -f -p 9090 -h /w"]',
        '    ports: ["8081:9090"]',
        '    labels:',
        '      dynia.entry: "true"',
        '      dynia.port: "9090"',
        '      dynia.domain: api-e2e.dynia.test',
        '  worker:',
        '    image: busybox:1.36',
        '    init: true',
        '    command: ["sleep", "3600"]',
      ].join('\n'),
    );
    const r = await cli(['app:deploy', '--node', 'e2e-d', '--compose', path], { stateDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /host ports 8081:9090 are not published/);
    assert.equal((await httpsGet('https://api-e2e.dynia.test/')).body.trim(), 'api on 9090');
    assert.equal((await httpsGet('https://e2e-d.dynia.test/')).body.trim(), 'hello from dynia example v2', 'the node FQDN keeps its app');
  });

  test('a job the entry waits for (a migration) runs once, to completion, before it starts; a failing one stops the deploy with its log', async () => {
    const app = (exit: number) =>
      write(
        `jobs-${exit}.yaml`,
        [
          'services:',
          '  web:',
          '    image: busybox:1.36',
          '    init: true',
          `    command: ["sh", "-c", "mkdir -p /w && echo jobs ${exit} > /w/index.html && exec httpd -f -p 8080 -h /w"]`,
          '    expose: ["8080"]',
          '    labels:',
          '      dynia.domain: jobs-e2e.dynia.test',
          '    depends_on:',
          '      migrate: {condition: service_completed_successfully}',
          '  migrate:',
          '    image: busybox:1.36',
          `    command: ["sh", "-c", "echo applying 0042_orders; sleep 1; [ ${exit} = 0 ] || echo ERROR: column total exists; exit ${exit}"]`,
        ].join('\n'),
      );
    const ok = await cli(['app:deploy', '--node', 'e2e-d', '--compose', app(0), '--name', 'jobs'], { stateDir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await httpsGet('https://jobs-e2e.dynia.test/')).body.trim(), 'jobs 0');
    const inspect =
      "docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}} {{.HostConfig.RestartPolicy.Name}} {{.State.FinishedAt}} {{.State.StartedAt}}'";
    const [job, web] = (await sshSettled(ip, `${inspect} jobs-blue-migrate-1 jobs-blue-web-1`)).stdout.trim().split('\n');
    const [status, code, restarts, policy, finished] = job!.split(' ');
    assert.deepEqual([status, code, restarts, policy], ['exited', '0', '0', 'no'], 'ran once and stays done');
    assert.ok(Date.parse(finished!) <= Date.parse(web!.split(' ')[5]!), 'the entry started after the job had completed');

    const bad = await cli(['app:deploy', '--node', 'e2e-d', '--compose', app(3), '--name', 'jobs'], { stateDir });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /the job migrate failed on e2e-d \(exit 3\), so the services that wait for it were not started/);
    assert.match(bad.stderr, /ERROR: column total exists/);
    assert.match(bad.stderr, /The running version keeps serving/);
    assert.equal((await httpsGet('https://jobs-e2e.dynia.test/')).body.trim(), 'jobs 0');

    // A new version retires the one whose job is done; a rollback runs that version's job again, then serves it.
    const next = await cli(['app:deploy', '--node', 'e2e-d', '--compose', app(0), '--name', 'jobs', '--force'], { stateDir });
    assert.equal(next.code, 0, next.stderr);
    assert.equal((await sshSettled(ip, `${inspect} jobs-green-migrate-1`)).stdout.split(' ').slice(0, 4).join(' '), 'exited 0 0 no');
    const back = await cli(['app:rollback', '--node', 'e2e-d', '--app', 'jobs'], { stateDir });
    assert.equal(back.code, 0, back.stderr);
    assert.equal((await httpsGet('https://jobs-e2e.dynia.test/')).body.trim(), 'jobs 0');
    const logs = (await sshSettled(ip, 'docker logs jobs-blue-migrate-1 2>&1')).stdout;
    assert.equal(logs.match(/applying 0042_orders/g)?.length, 2, 'the rollback ran the job again');
  });

  describe('bad input changes nothing on the node', () => {
    const cases: Array<[string, string | null, RegExp]> = [
      ['no services', 'services: {}\n', /services/],
      [
        'two entry candidates',
        'services:\n  web:\n    image: busybox:1.36\n  api:\n    image: busybox:1.36\n    labels: ["dynia.entry=true"]\n',
        /web.*api|api.*web/,
      ],
      ['a bad port', 'services:\n  web:\n    image: busybox:1.36\n    labels:\n      dynia.port: "99999"\n', /dynia\.port/],
      [
        'a domain label that would inject into the Caddyfile',
        'services:\n  web:\n    image: busybox:1.36\n    expose: ["80"]\n    labels:\n      dynia.domain: "evil.test {\\n\\trespond 200\\n}"\n',
        /dynia\.domain/,
      ],
      [
        'a domain label with shell',
        'services:\n  web:\n    image: busybox:1.36\n    expose: ["80"]\n    labels:\n      dynia.domain: \'x.dynia.test;reboot\'\n',
        /dynia\.domain/,
      ],
      ['invalid YAML', 'services:\n  web: [\n    image: x\n', /bad\.yaml:\d+:\d+/],
      ['a missing file', null, /no such file/],
    ];
    for (const [what, text, message] of cases) {
      test(what, async () => {
        const before = await nodeSnapshot();
        const path = text === null ? join(files, 'missing.yaml') : write('bad.yaml', text);
        const r = await cli(['app:deploy', '--node', 'e2e-d', '--compose', path, '--name', 'bad'], { stateDir });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, message);
        assert.equal(await nodeSnapshot(), before);
        assert.ok(!readState(stateDir).deployments.some((d: any) => d.app === 'bad'));
      });
    }
  });
});

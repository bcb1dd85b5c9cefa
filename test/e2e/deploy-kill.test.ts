/**
 * Real SIGKILLs of app:deploy on the sandbox, at moments spread over every step of a redeploy, under steady
 * HTTPS load; each kill is followed by the plain same command, which must converge on that first re-run:
 * state names the version the command asked for, exactly one colour runs and holds the domain's alias (the one
 * state calls active), the site serves it, and not one request of the load failed at any point.
 * `DYNIA_FAULT_MATRIX=<file>` appends one row per kill.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent, request } from 'undici';
import {
  cli,
  destroyNodes,
  newStateDir,
  readState,
  resolveInSandbox,
  runAndKill,
  pushHello,
  skipReason,
  ssh,
  sshSettled,
  steadyLoad,
} from './helpers.js';

const skip = skipReason();
const NODE = 'e2e-dk';
const URL_ = `https://${NODE}.dynia.test/`;
/** Kill this long after the step whose title starts so begins; every step, at its start and inside it. */
const KILL_AT: Array<[step: string, ms: number]> = [
  ['Compare', 0],
  ['Compare', 40],
  ['Upload the app', 0],
  ['Upload the app', 60],
  ['Build and start', 0],
  ['Build and start', 100],
  ['Build and start', 250],
  ['Wait for http', 0],
  ['Wait for http', 80],
  ['Wait for http', 200],
  ['Swap', 0],
  ['Swap', 30],
  ['Swap', 100],
  ['Swap', 300],
  ['Swap', 550],
  ['Swap', 650],
  ['Swap', 200],
  ['Check https', 0],
  ['Record the deployment', 0],
  ['Record the deployment', 10],
];

const files = mkdtempSync(join(tmpdir(), 'dynia-kill-'));

/** Two clients GET the site without pause (keep-alive and a new connection each time); every failure is kept. */
function load(ip: string) {
  const ca = readFileSync(process.env.NODE_EXTRA_CA_CERTS!, 'utf8');
  const connect = {
    ca,
    lookup: (_h: string, _o: unknown, cb: (e: null, a: Array<{ address: string; family: number }>) => void) =>
      cb(null, [{ address: ip, family: 4 }]),
  };
  const keepAlive = new Agent({ connect: connect as never });
  const attempt = (fresh: boolean) => async () => {
    const agent = fresh ? new Agent({ connect: connect as never }) : keepAlive;
    try {
      const r = await request(URL_, { dispatcher: agent, headersTimeout: 5000, bodyTimeout: 5000 });
      const body = await r.body.text();
      return r.statusCode !== 200 || !/hello from dynia example v\d/.test(body) ? `HTTP ${r.statusCode} ${body.slice(0, 80)}` : undefined;
    } finally {
      if (fresh) await agent.close();
    }
  };
  return steadyLoad([attempt(false), attempt(true)], () => keepAlive.close());
}

const row = (line: string) => process.env.DYNIA_FAULT_MATRIX && appendFileSync(process.env.DYNIA_FAULT_MATRIX, line);

describe('app:deploy killed at any moment converges on the first re-run, under load with 0 failed requests', { skip }, () => {
  const stateDir = newStateDir();
  let ip = '';
  let traffic: ReturnType<typeof load> | undefined;
  const composeOf = (version: number) => {
    const path = join(files, `hello-v${version}.yaml`);
    writeFileSync(path, `services:\n  web:\n    image: dynia-examples/hello:${version}\n    init: true\n    expose: ["8080"]\n`);
    return path;
  };
  const deployArgs = (version: number) => [
    'app:deploy',
    '--node',
    NODE,
    '--compose',
    composeOf(version),
    '--name',
    'hello',
    '--timeout',
    '30s',
  ];

  before(async () => {
    await pushHello(1, 2);
    const created = await cli(['node:create', '--name', NODE], { stateDir });
    assert.equal(created.code, 0, created.stderr);
    ip = readState(stateDir).nodes[0].ip;
    const first = await cli(deployArgs(1), { stateDir });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(await resolveInSandbox(`${NODE}.dynia.test`), [ip]);
    traffic = load(ip);
  });
  after(async () => {
    await traffic?.stop();
    await destroyNodes(stateDir, [NODE]);
  });

  KILL_AT.forEach(([step, ms], i) => {
    const version = i % 2 === 0 ? 2 : 1;
    test(`SIGKILL ${ms} ms into "${step}…" of a deploy of v${version}, then the same command`, async () => {
      const killed = await runAndKill(deployArgs(version), stateDir, step, ms);
      const atKill = readState(stateDir)
        .deployments.filter((d: any) => d.status === 'active')
        .map((d: any) => d.project)
        .join(',');
      const rerun = await cli(deployArgs(version), { stateDir });
      assert.equal(rerun.code, 0, rerun.stderr);

      const state = readState(stateDir);
      const active = state.deployments.filter((d: any) => d.app === 'hello' && d.status === 'active');
      assert.equal(active.length, 1, 'one active deployment');
      const running = (
        await sshSettled(
          ip,
          `docker ps --filter label=com.docker.compose.project --format '{{.Label "com.docker.compose.project"}}' | grep '^hello-' | sort`,
        )
      ).stdout.trim();
      assert.equal(running, active[0].project, 'exactly the colour state calls active runs');
      const holders = (
        await ssh(
          ip,
          `for c in $(docker ps -aq --filter name=hello-); do docker inspect -f '{{.Name}} {{with index .NetworkSettings.Networks "edge"}}{{.Aliases}}{{end}}' $c; done | grep dynia-upstream | cut -d' ' -f1`,
        )
      ).stdout.trim();
      assert.equal(holders, `/${active[0].project}-web-1`, 'only the active version holds the alias');
      const page = await request(URL_, {
        dispatcher: new Agent({
          connect: {
            ca: readFileSync(process.env.NODE_EXTRA_CA_CERTS!, 'utf8'),
            lookup: (_h, _o, cb) => cb(null, [{ address: ip, family: 4 }]),
          },
        }),
      });
      assert.equal((await page.body.text()).trim(), `hello from dynia example v${version}`);
      assert.deepEqual(traffic!.failures, [], 'no request of the load failed');

      const repaired = rerun.stderr
        .split('\n')
        .filter((l) => /repaired:|took over/.test(l))
        .map((l) => l.replace(/^\W+/, '').slice(0, 120));
      const said = /nothing (else )?to do/.test(rerun.stderr) ? 'no-op' : 'deployed';
      row(
        `| app:deploy (e2e) | ${ms} ms into "${step}…" (${(killed.atMs / 1000).toFixed(2)} s${killed.ended ? ', had ended' : ''}; active at kill: ${atKill || 'none'}) | SIGKILL | killed | ok (${said}), ${active[0].project} v${version} serves, 1 colour runs and holds the alias, ${traffic!.requests} req / ${traffic!.failures.length} failed so far | ${repaired.join('; ')} |\n`,
      );
    });
  });
});

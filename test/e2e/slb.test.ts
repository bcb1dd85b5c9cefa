/**
 * `dynia slb:sync` end to end on the live sandbox: two real nodes (Docker hosts, Caddy, ACME), the Worker
 * uploaded to the Cloudflare emulator and run by workerd, real requests through it. Run with the sandbox env
 * exported (`eval "$(dynia sandbox env)"`); the built CLI (`node bin/dynia.js`) is what runs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CloudflareClient } from '../../src/cloud/cloudflare.js';
import { parseResolvers } from '../../src/config/parse.js';
import { probeHttps } from '../../src/health/probe.js';
import { originsFromBindings } from '../../src/slb/origins.js';
import { SANDBOX } from '../../sandbox/layout.js';
import { ssh } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

function loopbackSandbox(): string | false {
  const api = process.env.DIGITALOCEAN_API_URL;
  if (!api) return 'DIGITALOCEAN_API_URL is not set: bring the sandbox up and export its env (eval "$(node bin/dynia.js sandbox env)")';
  const host = new URL(api).hostname;
  return ['127.0.0.1', 'localhost', '[::1]'].includes(host)
    ? false
    : `DIGITALOCEAN_API_URL (${api}) is not a loopback URL: this test only runs against the local sandbox`;
}
const skip = loopbackSandbox();

const suffix = randomBytes(2).toString('hex');
const nodeA = `slb-a-${suffix}`;
const nodeB = `slb-b-${suffix}`;
const worker = `slb-e2e-${suffix}`;

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI; never throws on a non-zero exit. */
async function dynia(stateDir: string, ...args: string[]): Promise<Cli> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/dynia.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, DYNIA_STATE_DIR: stateDir },
      maxBuffer: 16 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function dyniaOk(stateDir: string, ...args: string[]): Promise<string> {
  const result = await dynia(stateDir, ...args);
  assert.equal(result.code, 0, `dynia ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr}`);
  return result.stdout;
}

interface Answer {
  status: number;
  origin: string | undefined;
  body: string;
}

/** One GET to the Worker URL: *.localhost does not resolve for Node, so connect to 127.0.0.1 and send its Host. */
function get(url: string): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: target.port || 80, path: '/', headers: { host: target.host }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, origin: res.headers['x-dynia-origin'] as string | undefined, body }));
      },
    );
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error(`no answer from ${url} in 20 s`)));
    req.end();
  });
}

async function hit(url: string, count: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) answers.push(await get(url));
  return answers;
}

const servedBy = (answers: Answer[]) =>
  new Set(answers.map((a) => /Dynia node (\S+) is ready/.exec(a.body)?.[1] ?? `?${a.status} ${a.body.slice(0, 80)}`));

function cloudflare(): CloudflareClient {
  return new CloudflareClient({ token: process.env.CLOUDFLARE_API_TOKEN!, baseUrl: process.env.CLOUDFLARE_API_URL! });
}

async function deployedOrigins(): Promise<string[] | null> {
  const client = cloudflare();
  try {
    const settings = await client.getWorkerSettings(process.env.CLOUDFLARE_ACCOUNT_ID!, worker);
    return settings ? originsFromBindings(settings.bindings) : null;
  } finally {
    await client.close();
  }
}

describe('slb:sync on the sandbox', { skip }, () => {
  let stateDir: string;
  let emptyStateDir: string;
  let url: string;
  const nodes: Record<string, { ip: string; fqdn: string; healthPath: string }> = {};
  const origin = (name: string) => `https://${nodes[name]!.fqdn}`;

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'dynia-slb-e2e-'));
    emptyStateDir = mkdtempSync(join(tmpdir(), 'dynia-slb-e2e-empty-'));
    await run(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
    for (const name of [nodeA, nodeB]) await dyniaOk(stateDir, 'node:create', '--name', name);
    for (const node of JSON.parse(await dyniaOk(stateDir, '--json', 'node:list')) as Array<{
      name: string;
      ip: string;
      fqdn: string;
      healthPath: string;
    }>)
      nodes[node.name] = node;
  });

  after(async () => {
    if (!stateDir) return;
    for (const name of [nodeA, nodeB]) {
      const result = await dynia(stateDir, 'node:destroy', '--name', name, '--yes');
      if (result.code !== 0 && !/no node named/.test(result.stderr)) process.stderr.write(`cleanup of ${name} failed:\n${result.stderr}\n`);
    }
    // The Worker script too (the client has no delete; the API call is a plain DELETE).
    await fetch(`${process.env.CLOUDFLARE_API_URL}/accounts/${process.env.CLOUDFLARE_ACCOUNT_ID}/workers/scripts/${worker}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${process.env.CLOUDFLARE_API_TOKEN}` },
    }).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(emptyStateDir, { recursive: true, force: true });
  });

  test('publishes both nodes; requests through the Worker reach both', async () => {
    const out = JSON.parse(await dyniaOk(stateDir, '--json', 'slb:sync', '--name', worker)) as {
      url: string;
      origins: string[];
      dropped: unknown[];
    };
    url = out.url;
    assert.equal(url, `http://${worker}.sandbox.workers.localhost:${SANDBOX.ports.workers}`);
    assert.deepEqual(out.origins, [origin(nodeA), origin(nodeB)]);
    assert.deepEqual(out.dropped, []);

    const answers = await hit(url, 24);
    assert.deepEqual(
      answers.filter((a) => a.status !== 200),
      [],
    );
    assert.deepEqual([...servedBy(answers)].sort(), [nodeA, nodeB]);
    assert.deepEqual([...new Set(answers.map((a) => a.origin))].sort(), [origin(nodeA), origin(nodeB)]);

    const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as {
      slb: { name: string; url: string; origins: string[]; codeHash: string };
    };
    assert.deepEqual(
      { ...state.slb, publishedAt: undefined, codeHash: undefined },
      { name: worker, url, origins: out.origins, publishedAt: undefined, codeHash: undefined },
    );
    assert.match(state.slb.codeHash, /^sha256:/);
  });

  test('a second sync with nothing new skips the upload and still prints the URL', async () => {
    const result = await dynia(stateDir, 'slb:sync', '--name', worker);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${url}\n`);
    assert.match(result.stderr, /ORIGINS, health bindings and Worker code unchanged: nothing to upload/);
  });

  test("with one node's Caddy stopped, requests keep succeeding (the Worker fails over)", async () => {
    const stopped = await ssh(nodes[nodeB]!.ip, 'docker stop dynia-caddy');
    assert.equal(stopped.code, 0, stopped.stderr);
    const answers = await hit(url, 20);
    // A 500 whose body is "Error: connect ECONNREFUSED ..." means the sandbox's Worker outbound turned the
    // network error into a response instead of failing the Worker's fetch (which Cloudflare does).
    assert.deepEqual(
      answers.filter((a) => a.status !== 200),
      [],
      'every request through the Worker should succeed while one origin is down',
    );
    assert.deepEqual([...servedBy(answers)], [nodeA]);
  });

  test('a re-sync drops the stopped node; requests reach only the healthy one', async () => {
    const out = JSON.parse(await dyniaOk(stateDir, '--json', 'slb:sync', '--name', worker)) as {
      url: string;
      origins: string[];
      dropped: Array<{ origin: string; reason: string }>;
    };
    assert.deepEqual(out.origins, [origin(nodeA)]);
    assert.deepEqual(
      out.dropped.map((d) => d.origin),
      [origin(nodeB)],
    );
    assert.match(out.dropped[0]!.reason, /refused/);
    assert.deepEqual(await deployedOrigins(), [origin(nodeA)]);

    const answers = await hit(url, 20);
    assert.deepEqual(
      answers.filter((a) => a.status !== 200),
      [],
    );
    assert.deepEqual([...new Set(answers.map((a) => a.origin))], [origin(nodeA)]);
    assert.deepEqual(
      answers.map((a) => a.body.includes(`Dynia node ${nodeA} is ready`)),
      answers.map(() => true),
    );
  });

  test('--dry-run shows the node that is back, but changes nothing', async () => {
    const started = await ssh(nodes[nodeB]!.ip, 'docker start dynia-caddy');
    assert.equal(started.code, 0, started.stderr);
    const resolvers = parseResolvers(process.env.DYNIA_DNS_RESOLVERS!).map(({ ip, port }) => ({ host: ip, port }));
    const deadline = Date.now() + 60_000;
    while (!(await probeHttps(`${origin(nodeB)}${nodes[nodeB]!.healthPath}`, { resolvers, timeoutMs: 3000 })).ok) {
      assert.ok(Date.now() < deadline, `${nodeB} did not answer over HTTPS within 60 s of docker start`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const stateBefore = readFileSync(join(stateDir, 'state.json'), 'utf8');

    const human = await dynia(stateDir, 'slb:sync', '--name', worker, '--dry-run');
    assert.equal(human.code, 0, human.stderr);
    const lines = human.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split(/\s+/));
    assert.deepEqual(lines, [
      ['CURRENT', '(1)', 'NEW', '(2)'],
      [origin(nodeA), origin(nodeA)],
      ['-', origin(nodeB)],
    ]);
    const json = JSON.parse(await dyniaOk(stateDir, '--json', 'slb:sync', '--name', worker, '--dry-run')) as Record<string, unknown>;
    assert.deepEqual(json, { dryRun: true, url, current: [origin(nodeA)], origins: [origin(nodeA), origin(nodeB)], dropped: [] });

    assert.equal(readFileSync(join(stateDir, 'state.json'), 'utf8'), stateBefore);
    assert.deepEqual(await deployedOrigins(), [origin(nodeA)]);
  });

  test('an empty origin list is refused, naming --allow-empty, and nothing is uploaded', async () => {
    const result = await dynia(emptyStateDir, 'slb:sync', '--name', worker);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /no origin to publish: there is no active node in state/);
    assert.match(result.stderr, /--allow-empty/);
    assert.equal(result.stdout, '');
    assert.deepEqual(await deployedOrigins(), [origin(nodeA)]);
  });
});

/**
 * The old version is stopped only when nothing is in flight at it, even for an app that dies on SIGTERM with
 * requests half-answered (busybox httpd, whose CGI answers here send their headers, then their body 300 ms
 * later: Caddy retries a GET that failed before its headers, never one cut after them): redeploys and a rollback
 * under a load that always has requests in flight at the old version lose none of them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { cli, destroyNodes, newStateDir, pushHello, readState, skipReason, steadyLoad } from './helpers.js';

const skip = skipReason();
const NODE = 'e2e-drain';
const SLOW_MS = 300;
const files = mkdtempSync(join(tmpdir(), 'dynia-drain-'));

/** busybox httpd with a CGI script whose body, naming the version, follows its headers by SLOW_MS; `init: true` as many files do. */
function composeOf(version: number): string {
  const cgi = `#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nsleep ${SLOW_MS / 1000}\necho slow v${version}\n`;
  const script = `mkdir -p /www/cgi-bin && printf '%s' "$$CGI" > /www/cgi-bin/slow && chmod +x /www/cgi-bin/slow && exec httpd -f -p 8080 -h /www`;
  const path = join(files, `slow-v${version}.yaml`);
  writeFileSync(
    path,
    [
      'services:',
      '  web:',
      `    image: dynia-examples/hello:${version}`,
      '    init: true',
      `    environment: { CGI: ${JSON.stringify(cgi)} }`,
      `    command: ["sh", "-c", ${JSON.stringify(script)}]`,
      '    expose: ["8080"]',
      '',
    ].join('\n'),
  );
  return path;
}

/** `clients` loops GET the slow page without pause on keep-alive connections; every failure is kept. */
function slowLoad(ip: string, clients: number) {
  const ca = readFileSync(process.env.NODE_EXTRA_CA_CERTS!, 'utf8');
  const agent = new Agent({ connect: { ca, lookup: (_h, _o, cb) => cb(null, [{ address: ip, family: 4 }]) } });
  const attempt = async () => {
    const r = await request(`https://${NODE}.dynia.test/cgi-bin/slow`, { dispatcher: agent, headersTimeout: 5000, bodyTimeout: 5000 });
    const body = await r.body.text();
    return r.statusCode !== 200 || !/^slow v\d$/.test(body.trim()) ? `HTTP ${r.statusCode} ${body.slice(0, 80)}` : undefined;
  };
  return steadyLoad(
    Array.from({ length: clients }, () => attempt),
    () => agent.close(),
  );
}

describe('the old version is stopped only once nothing is in flight at it', { skip }, () => {
  const stateDir = newStateDir();
  let traffic: ReturnType<typeof slowLoad> | undefined;
  const deploy = (version: number) =>
    cli(['app:deploy', '--node', NODE, '--compose', composeOf(version), '--name', 'slow', '--timeout', '30s'], { stateDir });

  before(async () => {
    await pushHello(1, 2);
    const created = await cli(['node:create', '--name', NODE], { stateDir });
    assert.equal(created.code, 0, created.stderr);
    const first = await deploy(1);
    assert.equal(first.code, 0, first.stderr);
    traffic = slowLoad(readState(stateDir).nodes[0].ip, 8);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  });
  after(async () => {
    await traffic?.stop();
    await destroyNodes(stateDir, [NODE]);
  });

  test('three redeploys and a rollback under load, each with requests in flight at the old version: none fails', async (t) => {
    for (const version of [2, 1, 2]) {
      const r = await deploy(version);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /old version drained and its stop begun in \d+ ms \(Caddy dials the new one; nothing left in flight at the old one\)/,
      );
    }
    const back = await cli(['app:rollback', '--node', NODE, '--app', 'slow'], { stateDir });
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stderr, /nothing left in flight at the old one/);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    t.diagnostic(`${traffic!.requests} requests, ${traffic!.failures.length} failed`);
    assert.ok(traffic!.requests > 100, `${traffic!.requests} requests`);
    assert.deepEqual(traffic!.failures, [], `failed of ${traffic!.requests}`);
  });
});

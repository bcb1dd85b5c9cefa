/** The DNS publisher with the real dnsmasq resolvers: each resolver answers after its own delay, never before. */
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DnsPublisher } from '../../sandbox/dns/publisher.js';
import { dockerAnswers } from '../../sandbox/docker.js';
import { sandboxUp } from '../../sandbox/index.js';
import { SANDBOX } from '../../sandbox/layout.js';
import { files } from '../../sandbox/paths.js';

const skip = (await dockerAnswers()) ? false : 'docker info fails: no dockerd (start one with sandbox/scripts/start-dockerd.sh)';

/** A zone of its own, so a running sandbox daemon's zone files are left alone. */
const ZONE = 'dns-check.test';
const NAME = `web-1.${ZONE}`;

/** The resolver's answer: an address, or the DNS error code (ENOTFOUND = NXDOMAIN, EREFUSED, ...). */
async function ask(server: string, name: string): Promise<string> {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([server]);
  return resolver.resolve4(name).then(
    (a) => a.join(','),
    (e: NodeJS.ErrnoException) => e.code ?? 'error',
  );
}

async function waitFor(server: string, name: string, expected: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while ((await ask(server, name)) !== expected) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${server} did not answer ${expected} for ${name} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - t0;
}

describe('DNS publisher + dnsmasq resolvers', () => {
  const [a, b] = SANDBOX.resolverIps;
  let dns: DnsPublisher;

  before(async () => {
    if (skip) return;
    await sandboxUp({ daemon: false, installDeps: false });
    dns = new DnsPublisher({ resolverDirs: [files.resolverDir(0), files.resolverDir(1)], delaysMs: [600, 1800] });
  });
  after(() => {
    dns?.close();
    for (const i of [0, 1]) rmSync(join(files.resolverDir(i), `zone-${ZONE}`), { force: true });
  });

  test('static names resolve; names outside the sandbox are refused at once, never forwarded', { skip }, async () => {
    assert.equal(await ask(a, 'pebble'), SANDBOX.pebbleIp);
    assert.equal(await ask(b, 'registry'), SANDBOX.registryIp);
    assert.equal(await ask(a, `nothing.${ZONE}`), 'ENOTFOUND');
    const t0 = Date.now();
    assert.equal(await ask(a, 'example.com'), 'EREFUSED');
    assert.ok(Date.now() - t0 < 500, 'refused without waiting for any upstream');
  });

  test('a record reaches resolver A after its delay and not before, resolver B later', { skip }, async (t) => {
    const t0 = Date.now();
    dns.publish(ZONE, [{ name: NAME, type: 'A', content: '172.29.0.77', ttl: 60 }]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await ask(a, NAME), 'ENOTFOUND', 'A must not answer before its delay');
    await waitFor(a, NAME, '172.29.0.77', 3000);
    const onA = Date.now() - t0;
    assert.ok(onA >= 600, `A answered after ${onA} ms`);
    assert.equal(await ask(b, NAME), 'ENOTFOUND', 'B must not answer yet');
    await waitFor(b, NAME, '172.29.0.77', 5000);
    const onB = Date.now() - t0;
    assert.ok(onB >= 1800, `B answered after ${onB} ms`);
    t.diagnostic(`published -> resolver A ${onA} ms (delay 600), resolver B ${onB} ms (delay 1800)`);
  });

  test('changed and removed records are picked up without restarting dnsmasq', { skip }, async () => {
    dns.setDelays([0, 100]);
    dns.publish(ZONE, [{ name: NAME, type: 'A', content: '172.29.0.78', ttl: 60 }]);
    await waitFor(a, NAME, '172.29.0.78', 3000);
    await waitFor(b, NAME, '172.29.0.78', 3000);
    dns.publish(ZONE, []);
    await waitFor(a, NAME, 'ENOTFOUND', 3000);
    await waitFor(b, NAME, 'ENOTFOUND', 3000);
  });
});

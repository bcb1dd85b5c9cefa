/**
 * `up` twice (the second only checks), `env`, `down` (nothing left). A sandbox that was up before the test is
 * brought up again at the end, so the end-to-end tier can run after this file.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { docker, dockerAnswers } from '../../sandbox/docker.js';
import { sandboxDown, sandboxEnv, sandboxStatus, sandboxUp } from '../../sandbox/index.js';
import { SANDBOX } from '../../sandbox/layout.js';
import { readSecrets } from '../../sandbox/secrets.js';

const skip = (await dockerAnswers()) ? false : 'docker info fails: no dockerd (start one with sandbox/scripts/start-dockerd.sh)';
const wasUp = skip ? false : (await sandboxStatus()).up;

describe('sandbox up / env / down', () => {
  after(async () => {
    if (wasUp) await sandboxUp();
  });

  test('up, then a warm up that only checks', { skip }, async (t) => {
    const first = await sandboxUp();
    t.diagnostic(
      `first up (${wasUp ? 'warm' : 'cold or partly warm'}): ${first.totalMs} ms: ${first.steps.map((s) => `${s.step} ${s.ms}`).join(', ')}`,
    );
    const second = await sandboxUp();
    t.diagnostic(`warm up: ${second.totalMs} ms: ${second.steps.map((s) => `${s.step} ${s.ms}`).join(', ')}`);
    assert.ok(second.totalMs < 10_000, `warm up took ${second.totalMs} ms`);
    const detail = Object.fromEntries(second.steps.map((s) => [s.step, s.detail]));
    assert.deepEqual(
      { images: detail.images, registry: detail.registry, resolvers: detail.resolvers, pebble: detail.pebble, network: detail.network },
      {
        images: 'up to date',
        registry: 'running',
        resolvers: 'running, running',
        pebble: 'running',
        network: `${SANDBOX.network} present`,
      },
    );
    assert.equal(second.daemonPid, first.daemonPid);
    assert.match(detail.daemon, /^running \(pid \d+\)$/);

    const status = await sandboxStatus();
    assert.equal(status.up, true);

    // The daemon serves the emulators with the sandbox's tokens and key.
    const { digitaloceanToken } = readSecrets();
    const keys = await fetch(`http://127.0.0.1:${SANDBOX.ports.digitalocean}/v2/account/keys`, {
      headers: { authorization: `Bearer ${digitaloceanToken}` },
    });
    assert.equal(keys.status, 200);
    assert.equal(((await keys.json()) as { ssh_keys: Array<{ name: string }> }).ssh_keys[0]?.name, 'sandbox-key');
    const admin = `http://127.0.0.1:${SANDBOX.ports.admin}`;
    const set = await fetch(`${admin}/dns-delay`, { method: 'POST', body: JSON.stringify({ ms: [100, 200] }) });
    assert.deepEqual(await set.json(), { ms: [100, 200] });
    await fetch(`${admin}/dns-delay`, { method: 'POST', body: JSON.stringify({ ms: SANDBOX.dnsDelayMs }) });
  });

  test('env prints the export lines', { skip }, () => {
    const { digitaloceanToken, cloudflareToken } = readSecrets();
    const env = sandboxEnv();
    assert.ok(env.includes(`export DIGITALOCEAN_TOKEN=${digitaloceanToken}\n`));
    assert.ok(env.includes(`export CLOUDFLARE_API_TOKEN=${cloudflareToken}\n`));
    assert.ok(env.includes(`export DIGITALOCEAN_API_URL=http://127.0.0.1:${SANDBOX.ports.digitalocean}\n`));
    assert.ok(env.includes(`export DYNIA_DNS_RESOLVERS=${SANDBOX.resolverIps.join(',')}\n`));
  });

  test('down leaves no sandbox container, volume, network or daemon', { skip }, async () => {
    await sandboxDown();
    assert.equal((await docker(['ps', '-aq', '--filter', `label=${SANDBOX.label}`])).trim(), '');
    assert.equal((await docker(['volume', 'ls', '-q', '--filter', `label=${SANDBOX.label}`])).trim(), '');
    assert.equal((await docker(['network', 'ls', '-q', '--filter', `name=^${SANDBOX.network}$`])).trim(), '');
    const status = await sandboxStatus();
    assert.equal(status.daemonPid, null);
    assert.equal(status.up, false);
    const health = await fetch(`http://127.0.0.1:${SANDBOX.ports.admin}/health`).then(
      () => 'answered',
      () => 'closed',
    );
    assert.equal(health, 'closed');
  });
});

/** The node-host driver against real Docker: a droplet's host answers ssh with the sandbox key and runs Docker. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { docker, dockerAnswers } from '../../sandbox/docker.js';
import { run } from '../../sandbox/exec.js';
import { DockerHostDriver } from '../../sandbox/hosts/docker-hosts.js';
import { containerName } from '../../sandbox/hosts/droplet-host.js';
import { sandboxUp } from '../../sandbox/index.js';
import { SANDBOX } from '../../sandbox/layout.js';
import { files } from '../../sandbox/paths.js';
import { ssh } from '../e2e/helpers.js';

const skip = (await dockerAnswers()) ? false : 'docker info fails: no dockerd (start one with sandbox/scripts/start-dockerd.sh)';

/** The sandbox's own key (this test runs without `dynia sandbox env`); sshd may still be starting. */
const SSH = { key: files.clientKey(), connectTimeoutS: 3, timeoutMs: 20_000 };

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('DockerHostDriver', () => {
  const driver = new DockerHostDriver();
  const base = 990_000_000 + Math.floor(Math.random() * 100_000) * 2;
  const ids = [base, base + 1];

  before(async () => {
    if (skip) return;
    await sandboxUp({ daemon: false, installDeps: false });
  });
  after(async () => {
    if (skip) return;
    for (const id of ids) await driver.destroy(id);
  });

  const slugs = { sizeSlug: 's-1vcpu-1gb', region: 'nyc3', image: 'ubuntu-24-04-x64' };
  test('a droplet host answers ssh with the sandbox key and runs its own Docker; destroy removes it', { skip }, async (t) => {
    const key = readFileSync(`${files.clientKey()}.pub`, 'utf8').trim();
    const t0 = Date.now();
    const [one, two] = await Promise.all([
      driver.create({
        dropletId: ids[0],
        name: 'hosts-test-1',
        authorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyOnlyForTheList other', key],
        userData: '#cloud-config\nruncmd: [echo hi]\n',
        tags: ['dynia', 'role:test'],
        ...slugs,
      }),
      driver.create({ dropletId: ids[1], name: 'hosts-test-2', authorizedKeys: [key], tags: [], ...slugs }),
    ]);
    assert.notEqual(one.ip, two.ip, 'concurrent creates get different addresses');

    await until('sshd banner', 15_000, async () => ((await driver.isReady(ids[0])) ? true : undefined));
    const sshReadyMs = Date.now() - t0;
    t.diagnostic(`droplet create -> sshd answers: ${sshReadyMs} ms`);
    assert.ok(sshReadyMs < 10_000, `sshd answered after ${sshReadyMs} ms`);

    const version = await until('docker info over ssh', 30_000, async () => {
      const r = await ssh(one.ip, "docker info --format '{{.ServerVersion}}'", SSH);
      return r.code === 0 ? r.stdout.trim() : undefined;
    });
    t.diagnostic(`droplet create -> docker info answers over ssh: ${Date.now() - t0} ms (dockerd ${version})`);

    const facts = await ssh(
      one.ip,
      "cat /var/lib/cloud/user-data; cat /etc/resolv.conf; hostname; docker info --format '{{json .RegistryConfig.Mirrors}}'; docker compose version --short",
    );
    assert.equal(facts.code, 0, facts.stderr);
    assert.equal(
      facts.stdout,
      `#cloud-config\nruncmd: [echo hi]\nnameserver ${SANDBOX.resolverIps[0]}\nhosts-test-1\n["http://${SANDBOX.registryIp}:5000/"]\n2.26.1-4\n`,
    );

    const memory = await docker(['stats', '--no-stream', '--format', '{{.MemUsage}}', containerName(ids[0])]);
    t.diagnostic(`idle node host memory (docker stats): ${memory.trim()}`);

    const listed = (await driver.list()).find((h) => h.dropletId === ids[0]);
    assert.deepEqual(listed && { ...listed, createdAt: '' }, {
      dropletId: ids[0],
      name: 'hosts-test-1',
      ip: one.ip,
      tags: ['dynia', 'role:test'],
      createdAt: '',
      sizeSlug: 's-1vcpu-1gb',
      region: 'nyc3',
      image: 'ubuntu-24-04-x64',
    });

    const volumes = (await docker(['inspect', '--format', '{{range .Mounts}}{{.Name}} {{end}}', containerName(ids[0])])).trim().split(' ');
    await driver.destroy(ids[0]);
    assert.equal(
      (await driver.list()).some((h) => h.dropletId === ids[0]),
      false,
    );
    assert.equal(await driver.isReady(ids[0]), false);
    const left = await run('docker', ['volume', 'inspect', ...volumes], { allowFailure: true });
    assert.notEqual(left.code, 0, "the host's /var/lib/docker volume is removed with it");
    await driver.destroy(ids[0]); // idempotent
  });
});

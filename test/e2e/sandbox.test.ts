/**
 * The sandbox as a user meets it: a droplet created with a raw API call becomes a host that SSH and Docker
 * answer on, and a DNS record created through the Cloudflare API resolves at the configured resolvers only
 * after the propagation delay.
 */
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { describe, test } from 'node:test';
import { resolvers, skipReason, ssh } from './helpers.js';

const skip = skipReason();
const env = process.env;
const doApi = (path: string, init: RequestInit = {}) =>
  fetch(`${env.DIGITALOCEAN_API_URL}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${env.DIGITALOCEAN_TOKEN}`, 'content-type': 'application/json' },
  });
const cfApi = (path: string, init: RequestInit = {}) =>
  fetch(`${env.CLOUDFLARE_API_URL}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${env.CLOUDFLARE_API_TOKEN}`, 'content-type': 'application/json' },
  });

describe('sandbox', { skip }, () => {
  test('POST /v2/droplets starts a host that ssh and docker answer on', async (t) => {
    const keys = (await (await doApi('/v2/account/keys')).json()) as { ssh_keys: Array<{ id: number }> };
    const t0 = Date.now();
    const created = await doApi('/v2/droplets', {
      method: 'POST',
      body: JSON.stringify({
        name: 't1',
        region: 'nyc3',
        size: 's-1vcpu-1gb',
        image: 'ubuntu-24-04-x64',
        ssh_keys: [keys.ssh_keys[0]!.id],
        tags: ['sandbox-test'],
      }),
    });
    assert.equal(created.status, 202);
    const { droplet } = (await created.json()) as { droplet: { id: number; status: string } };
    assert.equal(droplet.status, 'new');
    let ip: string | undefined;
    try {
      for (let i = 0; i < 100 && !ip; i++) {
        const { droplet: d } = (await (await doApi(`/v2/droplets/${droplet.id}`)).json()) as {
          droplet: { status: string; networks: { v4: Array<{ ip_address: string; type: string }> } };
        };
        if (d.status === 'active') ip = d.networks.v4.find((n) => n.type === 'public')?.ip_address;
        else await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(ip, 'active with a public IPv4');
      t.diagnostic(`droplet active in ${Date.now() - t0} ms`);
      let info = { code: 1, stdout: '' };
      for (let i = 0; i < 50 && info.code !== 0; i++) {
        info = await ssh(ip, "docker info --format '{{.ServerVersion}} {{json .RegistryConfig.Mirrors}}'");
        if (info.code !== 0) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(info.code, 0);
      assert.match(info.stdout, /registry|:5000/, 'the sandbox registry is its Docker Hub mirror');
      t.diagnostic(`docker answers over ssh ${Date.now() - t0} ms after the create call`);
    } finally {
      assert.equal((await doApi(`/v2/droplets/${droplet.id}`, { method: 'DELETE' })).status, 204);
    }
  });

  test('a DNS record resolves at every resolver, each after its own delay', async () => {
    const name = `dns-${Date.now()}.${env.DYNIA_DOMAIN}`;
    const created = await cfApi(`/zones/${env.CLOUDFLARE_ZONE_ID}/dns_records`, {
      method: 'POST',
      body: JSON.stringify({ type: 'A', name, content: '192.0.2.7', ttl: 60 }),
    });
    assert.equal(created.status, 200);
    const { result } = (await created.json()) as { result: { id: string } };
    try {
      const ask = async (server: string) => {
        const r = new Resolver({ timeout: 500, tries: 1 });
        r.setServers([server]);
        return r.resolve4(name).catch(() => [] as string[]);
      };
      assert.deepEqual(await ask(resolvers()[1]!), [], 'not yet at the slower resolver');
      for (const server of resolvers()) {
        let answer: string[] = [];
        for (let i = 0; i < 60 && answer.length === 0; i++) {
          answer = await ask(server);
          if (answer.length === 0) await new Promise((r) => setTimeout(r, 100));
        }
        assert.deepEqual(answer, ['192.0.2.7'], `resolved at ${server}`);
      }
    } finally {
      await cfApi(`/zones/${env.CLOUDFLARE_ZONE_ID}/dns_records/${result.id}`, { method: 'DELETE' });
    }
  });
});

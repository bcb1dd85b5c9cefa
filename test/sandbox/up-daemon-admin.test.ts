import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startAdminServer } from '../../sandbox/daemon/admin.js';
import { sandboxLookup } from '../../sandbox/daemon/outbound.js';

describe('daemon admin endpoint', () => {
  test('health, reading and changing the DNS delays, bad input', async () => {
    let delays = [500, 1500];
    const admin = await startAdminServer({
      port: 0,
      services: { cloudflare: 'http://127.0.0.1:4781/client/v4' },
      getDelays: () => delays,
      setDelays: (ms) => {
        if (ms.length !== 2) throw new Error('DNS delays must be 2 whole numbers');
        delays = ms;
      },
    });
    try {
      const url = admin.url;
      const health = await (await fetch(`${url}/health`)).json();
      assert.deepEqual(health, { ok: true, pid: process.pid, services: { cloudflare: 'http://127.0.0.1:4781/client/v4' } });
      const post = (body: string) => fetch(`${url}/dns-delay`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const ok = await post('{"ms":[0,250]}');
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { ms: [0, 250] });
      assert.deepEqual(await (await fetch(`${url}/dns-delay`)).json(), { ms: [0, 250] });
      const wrongCount = await post('{"ms":[1]}');
      assert.equal(wrongCount.status, 400);
      assert.deepEqual(await wrongCount.json(), { error: 'DNS delays must be 2 whole numbers' });
      assert.equal((await post('not json')).status, 400);
      assert.equal((await fetch(`${url}/nope`)).status, 404);
    } finally {
      await admin.close();
    }
  });
});

describe('outbound lookup', () => {
  test('IP literals and localhost never reach a resolver', async () => {
    const lookup = sandboxLookup(['192.0.2.53']);
    const one = (host: string) =>
      new Promise((resolve, reject) => lookup(host, {}, (err, address, family) => (err ? reject(err) : resolve([address, family]))));
    const all = (host: string) =>
      new Promise((resolve, reject) => lookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
    assert.deepEqual(await one('172.29.0.10'), ['172.29.0.10', 4]);
    assert.deepEqual(await one('localhost'), ['127.0.0.1', 4]);
    assert.deepEqual(await all('172.29.0.10'), [{ address: '172.29.0.10', family: 4 }]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { healthPaths, sameHealthBindings, workerBindings } from '../../src/slb/active.js';
import { originStatuses, slbStatus, type SlbStatusDeps } from '../../src/commands/slb-status/workflow.js';
import { fakeCloudflare } from './workflow-fakes.js';

const record = {
  checkedAt: '2026-12-01T12:01:00.000Z',
  origins: {
    'https://a.example.com': { up: true, failures: 0, since: '2026-12-01T12:00:00.000Z', checkedAt: '2026-12-01T12:01:00.000Z' },
    'https://b.example.com': {
      up: false,
      failures: 2,
      since: '2026-12-01T12:01:00.000Z',
      checkedAt: '2026-12-01T12:01:00.000Z',
      error: 'connection failed',
    },
  },
};

describe('originStatuses', () => {
  it('names each published origin with its verdict; one never probed is unknown', () => {
    assert.deepEqual(originStatuses(['https://a.example.com', 'https://b.example.com', 'https://c.example.com'], record), [
      {
        origin: 'https://a.example.com',
        verdict: 'up',
        failures: 0,
        since: '2026-12-01T12:00:00.000Z',
        checkedAt: '2026-12-01T12:01:00.000Z',
        error: null,
      },
      {
        origin: 'https://b.example.com',
        verdict: 'down',
        failures: 2,
        since: '2026-12-01T12:01:00.000Z',
        checkedAt: '2026-12-01T12:01:00.000Z',
        error: 'connection failed',
      },
      { origin: 'https://c.example.com', verdict: 'unknown', failures: 0, since: null, checkedAt: null, error: null },
    ]);
    assert.equal(originStatuses(['https://a.example.com'], null)[0]!.verdict, 'unknown');
  });
});

describe('slbStatus', () => {
  it('reads the Worker bindings, then the KV record its HEALTH binding names, then its crons', async () => {
    const calls: string[] = [];
    const cloudflare: SlbStatusDeps['cloudflare'] = {
      getWorkerSettings: async (account, name) => (
        calls.push(`settings ${account}/${name}`), { bindings: workerBindings(['https://a.example.com'], {}, 'ns1') }
      ),
      readKvValue: async (account, ns, key) => (calls.push(`kv ${account} ${ns} ${key}`), record),
      getWorkerSchedules: async (account, name) => (calls.push(`schedules ${account}/${name}`), ['* * * * *']),
    };
    const status = await slbStatus({ name: 'slb', accountId: 'acc' }, { cloudflare });
    assert.deepEqual(calls, ['settings acc/slb', 'kv acc ns1 health:v1', 'schedules acc/slb']);
    assert.deepEqual(
      { ...status, origins: status.origins.length },
      { name: 'slb', crons: ['* * * * *'], recordedAt: '2026-12-01T12:01:00.000Z', origins: 1 },
    );
  });

  it('refuses a Worker that does not exist, naming slb:sync', async () => {
    const cloudflare = fakeCloudflare({ getWorkerSettings: async () => null });
    await assert.rejects(slbStatus({ name: 'slb', accountId: 'acc' }, { cloudflare }), /no Worker slb/);
  });
});

describe('health bindings', () => {
  const candidates = [
    { node: 'a', origin: 'https://a.example.com', healthUrl: 'https://a.example.com/healthz' },
    { node: 'b', origin: 'https://b.example.com', healthUrl: 'https://b.example.com/' },
  ];
  it('publish the health path of each published origin and the KV namespace', () => {
    assert.deepEqual(healthPaths(candidates, ['https://a.example.com']), { 'https://a.example.com': '/healthz' });
    const bindings = workerBindings(['https://a.example.com'], { 'https://a.example.com': '/healthz' }, 'ns1');
    assert.equal(sameHealthBindings(bindings, { 'https://a.example.com': '/healthz' }, 'ns1'), true);
    assert.equal(sameHealthBindings(bindings, { 'https://a.example.com': '/' }, 'ns1'), false);
    assert.equal(sameHealthBindings(bindings, { 'https://a.example.com': '/healthz' }, 'ns2'), false);
    assert.equal(sameHealthBindings([{ type: 'json', name: 'ORIGINS', json: [] }], {}, 'ns1'), false);
  });
});

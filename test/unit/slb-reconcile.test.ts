import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slbDrift } from '../../src/commands/slb-sync/reconcile.js';

const recorded = {
  name: 'slb',
  url: 'https://slb.acme.workers.dev',
  origins: ['https://a.example.com', 'https://b.example.com'],
  publishedAt: '2026-01-01T00:00:00.000Z',
};

test('slbDrift: the live Worker against the recorded one, each difference said', () => {
  assert.deepEqual(slbDrift('slb', recorded, { origins: [...recorded.origins].reverse() }), [], 'same set, any order: nothing');
  assert.deepEqual(slbDrift('slb', undefined, null), []);
  assert.deepEqual(slbDrift('slb', recorded, null), [
    'Worker slb, recorded in state as published at 2026-01-01T00:00:00.000Z, no longer exists in Cloudflare; it is uploaded again',
  ]);
  assert.deepEqual(slbDrift('slb', undefined, { origins: [] }), [
    'Worker slb exists in Cloudflare but state has no record of it (a first sync interrupted before its record?); this sync takes it over',
  ]);
  assert.deepEqual(slbDrift('other', recorded, { origins: [] }), [
    'Worker other exists in Cloudflare but state has no record of it (a first sync interrupted before its record?); this sync takes it over',
  ]);
  assert.deepEqual(slbDrift('slb', recorded, { origins: null }), [
    'Worker slb has no ORIGINS binding although state records 2; it is uploaded again',
  ]);
  assert.deepEqual(slbDrift('slb', recorded, { origins: ['https://a.example.com', 'https://c.example.com'] }), [
    'Worker slb serves ORIGINS that state does not record (only in Cloudflare: https://c.example.com; only in state: https://b.example.com), e.g. a sync interrupted after its upload; state is rewritten from what this sync publishes',
  ]);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHealthPaths } from '../../worker/src/active-config.js';
import { PassiveHealth } from '../../worker/src/health.js';
import { orderCandidates } from '../../worker/src/selection.js';
import { downOrigins, HEARTBEAT_MS, nextRecord, worthWriting } from '../../worker/src/shared-health.js';

const t0 = new Date('2026-12-01T12:00:00.000Z');
const later = (ms: number) => new Date(t0.getTime() + ms);

describe('nextRecord', () => {
  it('counts consecutive failures across runs and drops an origin only at the threshold', () => {
    const one = nextRecord(null, [{ origin: 'https://a', ok: false, failedAttempts: 1, error: 'timeout' }], t0, 2);
    assert.deepEqual(one.origins['https://a'], {
      up: true,
      failures: 1,
      since: t0.toISOString(),
      checkedAt: t0.toISOString(),
      error: 'timeout',
    });
    const two = nextRecord(one, [{ origin: 'https://a', ok: false, failedAttempts: 1, error: 'HTTP 503' }], later(60_000), 2);
    assert.deepEqual(two.origins['https://a'], {
      up: false,
      failures: 2,
      since: later(60_000).toISOString(),
      checkedAt: later(60_000).toISOString(),
      error: 'HTTP 503',
    });
    const back = nextRecord(two, [{ origin: 'https://a', ok: true, failedAttempts: 0 }], later(120_000), 2);
    assert.deepEqual(back.origins['https://a'], {
      up: true,
      failures: 0,
      since: later(120_000).toISOString(),
      checkedAt: later(120_000).toISOString(),
    });
  });

  it('forgets origins that are no longer configured', () => {
    const record = nextRecord(
      null,
      [
        { origin: 'https://a', ok: true, failedAttempts: 0 },
        { origin: 'https://b', ok: true, failedAttempts: 0 },
      ],
      t0,
      2,
    );
    assert.deepEqual(Object.keys(nextRecord(record, [{ origin: 'https://b', ok: true, failedAttempts: 0 }], t0, 2).origins), ['https://b']);
  });
});

describe('worthWriting', () => {
  const up = nextRecord(null, [{ origin: 'https://a', ok: true, failedAttempts: 0 }], t0, 2);
  it('writes on a change or when the heartbeat is due, not every minute', () => {
    assert.equal(worthWriting(null, up, t0), true);
    assert.equal(
      worthWriting(up, nextRecord(up, [{ origin: 'https://a', ok: true, failedAttempts: 0 }], later(60_000), 2), later(60_000)),
      false,
    );
    assert.equal(
      worthWriting(up, nextRecord(up, [{ origin: 'https://a', ok: false, failedAttempts: 1 }], later(60_000), 2), later(60_000)),
      true,
    );
    assert.equal(worthWriting(up, up, later(HEARTBEAT_MS)), true);
  });
});

describe('downOrigins', () => {
  it('reads the down verdicts; anything malformed counts as up', () => {
    assert.deepEqual([...downOrigins({ origins: { 'https://a': { up: false }, 'https://b': { up: true } } })], ['https://a']);
    assert.deepEqual([...downOrigins(null)], []);
    assert.deepEqual([...downOrigins({ origins: 'x' })], []);
  });
});

describe('orderCandidates with shared verdicts', () => {
  const origins = ['https://a', 'https://b', 'https://c'];
  it('puts origins the probes found down after the healthy ones, before cooling ones', () => {
    const health = new PassiveHealth();
    health.markFailed('https://c', 0, 1000);
    assert.deepEqual(orderCandidates(origins, 0, health, 0, new Set(['https://a'])), ['https://b', 'https://a', 'https://c']);
  });
  it('still tries every origin the probes found down when none is healthy', () => {
    const health = new PassiveHealth();
    const down = new Set(origins);
    assert.deepEqual(orderCandidates(origins, 1, health, 0, down), ['https://b', 'https://c', 'https://a']);
  });
});

describe('parseHealthPaths', () => {
  it('keeps the paths of configured origins only, and refuses anything but an absolute path', () => {
    assert.deepEqual(parseHealthPaths('{"https://a":"/healthz","https://x":"/"}', ['https://a']), { 'https://a': '/healthz' });
    assert.throws(() => parseHealthPaths({ 'https://a': '//evil.example/' }, ['https://a']), /absolute paths/);
    assert.throws(() => parseHealthPaths({ 'https://a': '/h?x=1' }, ['https://a']), /absolute paths/);
    assert.throws(() => parseHealthPaths('[', ['https://a']), /not JSON/);
  });
});

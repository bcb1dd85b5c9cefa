import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canReplay, planBody, REPLAY_BODY_LIMIT, RETRY_STATUSES } from '../../worker/src/replay.js';

describe('planBody', () => {
  it('sends no body without one, and never for GET/HEAD', () => {
    assert.equal(planBody('PUT', false, null), 'none');
    assert.equal(planBody('GET', true, '5'), 'none');
    assert.equal(planBody('HEAD', true, '5'), 'none');
  });

  it('buffers bodies of idempotent methods up to the limit', () => {
    assert.equal(REPLAY_BODY_LIMIT, 65536);
    for (const method of ['PUT', 'DELETE', 'OPTIONS']) {
      assert.equal(planBody(method, true, '0'), 'buffer');
      assert.equal(planBody(method, true, String(REPLAY_BODY_LIMIT)), 'buffer');
      assert.equal(planBody(method, true, String(REPLAY_BODY_LIMIT + 1)), 'stream');
    }
  });

  it('streams bodies of unknown or malformed length', () => {
    assert.equal(planBody('PUT', true, null), 'stream');
    assert.equal(planBody('PUT', true, '12abc'), 'stream');
    assert.equal(planBody('PUT', true, '-1'), 'stream');
  });

  it('streams bodies of non-idempotent methods: buffering them would buy nothing', () => {
    for (const method of ['POST', 'PATCH', 'PROPFIND']) assert.equal(planBody(method, true, '10'), 'stream');
  });
});

describe('canReplay', () => {
  it('replays idempotent methods whose body the Worker holds', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']) {
      assert.equal(canReplay(method, 'none'), true, method);
      assert.equal(canReplay(method, 'buffer'), true, method);
      assert.equal(canReplay(method, 'stream'), false, method);
    }
  });

  it('never replays POST, PATCH or unknown methods', () => {
    for (const method of ['POST', 'PATCH', 'CONNECT', 'PROPFIND']) {
      for (const body of ['none', 'buffer', 'stream'] as const) assert.equal(canReplay(method, body), false, `${method} ${body}`);
    }
  });
});

describe('RETRY_STATUSES', () => {
  it('is exactly the gateway-style failures', () => {
    assert.deepEqual([...RETRY_STATUSES].sort(), [502, 503, 504]);
  });
});

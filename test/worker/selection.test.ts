import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PassiveHealth } from '../../worker/src/health.js';
import { orderCandidates, RoundRobin } from '../../worker/src/selection.js';

const origins = ['https://a', 'https://b', 'https://c'];

describe('RoundRobin', () => {
  it('starts at a random offset drawn on first use, then counts up', () => {
    let draws = 0;
    const rotation = new RoundRobin(() => {
      draws++;
      return 0.5;
    });
    assert.equal(draws, 0);
    assert.deepEqual([rotation.next(), rotation.next(), rotation.next()], [2 ** 31, 2 ** 31 + 1, 2 ** 31 + 2]);
    assert.equal(draws, 1);
  });
});

describe('PassiveHealth', () => {
  it('cools a failed origin down for the given time, and a success ends it early', () => {
    const health = new PassiveHealth();
    health.markFailed('https://a', 1000, 500);
    assert.equal(health.coolingUntil('https://a', 1000), 1500);
    assert.equal(health.coolingUntil('https://a', 1499), 1500);
    assert.equal(health.coolingUntil('https://a', 1500), undefined);
    health.markServed('https://a');
    assert.equal(health.coolingUntil('https://a', 1000), undefined);
  });

  it('remembers nothing when the cooldown is 0', () => {
    const health = new PassiveHealth();
    health.markFailed('https://a', 1000, 0);
    assert.equal(health.coolingUntil('https://a', 1000), undefined);
  });
});

describe('orderCandidates', () => {
  it('rotates through all origins when all are healthy', () => {
    const health = new PassiveHealth();
    assert.deepEqual(
      [0, 1, 2, 3].map((turn) => orderCandidates(origins, turn, health, 0)),
      [
        ['https://a', 'https://b', 'https://c'],
        ['https://b', 'https://c', 'https://a'],
        ['https://c', 'https://a', 'https://b'],
        ['https://a', 'https://b', 'https://c'],
      ],
    );
  });

  it('spreads evenly over the healthy ones and keeps cooling ones as a last resort', () => {
    const health = new PassiveHealth();
    health.markFailed('https://b', 0, 100);
    assert.deepEqual(
      [0, 1, 2].map((turn) => orderCandidates(origins, turn, health, 50)),
      [
        ['https://a', 'https://c', 'https://b'],
        ['https://c', 'https://a', 'https://b'],
        ['https://a', 'https://c', 'https://b'],
      ],
    );
  });

  it('orders last-resort origins by soonest recovery', () => {
    const health = new PassiveHealth();
    health.markFailed('https://a', 0, 300);
    health.markFailed('https://b', 0, 100);
    assert.deepEqual(orderCandidates(origins, 7, health, 50), ['https://c', 'https://b', 'https://a']);
  });

  it('tries only the origin recovering soonest when none is healthy', () => {
    const health = new PassiveHealth();
    health.markFailed('https://a', 0, 300);
    health.markFailed('https://b', 0, 100);
    health.markFailed('https://c', 0, 200);
    assert.deepEqual(orderCandidates(origins, 5, health, 50), ['https://b']);
  });

  it('takes origins back once their cooldown ends', () => {
    const health = new PassiveHealth();
    health.markFailed('https://a', 0, 100);
    assert.deepEqual(orderCandidates(origins, 0, health, 100), origins);
  });
});

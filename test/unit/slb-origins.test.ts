import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NodeRecord } from '../../src/state/schema.js';
import { validateRoutePattern, validateWorkerName } from '../../src/slb/input.js';
import { diffOrigins, dropReason, originCandidates, originsFromBindings, routeUrl, sideBySide } from '../../src/slb/origins.js';
import { nodeRecord } from './records.js';

const node = (name: string, status: NodeRecord['status'], healthPath = '/') => nodeRecord(name, { ip: '172.29.0.10', status, healthPath });

describe('originCandidates', () => {
  test('active nodes only, in state order, with their health URL', () => {
    assert.deepEqual(
      originCandidates([node('web-2', 'active', '/healthz'), node('web-1', 'creating'), node('web-3', 'failed'), node('web-1b', 'active')]),
      [
        { node: 'web-2', origin: 'https://web-2.example.com', healthUrl: 'https://web-2.example.com/healthz' },
        { node: 'web-1b', origin: 'https://web-1b.example.com', healthUrl: 'https://web-1b.example.com/' },
      ],
    );
  });

  test('no nodes, no candidates', () => {
    assert.deepEqual(originCandidates([]), []);
  });
});

describe('dropReason', () => {
  test("the probe's error, with the attempt count when retried", () => {
    assert.equal(
      dropReason({ error: 'connection to a.example.com refused (nothing listening on the port).' }, 2),
      'connection to a.example.com refused (nothing listening on the port). (2 attempts)',
    );
    assert.equal(dropReason({ error: 'x' }, 1), 'x');
  });

  test('a status without an error message, or nothing at all', () => {
    assert.equal(dropReason({ status: 503 }, 1), 'answered HTTP 503');
    assert.equal(dropReason({}, 2), 'no answer (2 attempts)');
  });
});

describe('originsFromBindings', () => {
  test('a json binding holding the array', () => {
    assert.deepEqual(originsFromBindings([{ type: 'json', name: 'ORIGINS', json: ['https://a.example.com', 'https://b.example.com'] }]), [
      'https://a.example.com',
      'https://b.example.com',
    ]);
  });

  test('a plain-text JSON array or comma list', () => {
    assert.deepEqual(originsFromBindings([{ type: 'plain_text', name: 'ORIGINS', text: '["https://a.example.com"]' }]), [
      'https://a.example.com',
    ]);
    assert.deepEqual(
      originsFromBindings([{ type: 'plain_text', name: 'ORIGINS', text: ' https://a.example.com , https://b.example.com,' }]),
      ['https://a.example.com', 'https://b.example.com'],
    );
  });

  test('broken JSON (the Worker refuses it) is shown as its text split at commas', () => {
    assert.deepEqual(originsFromBindings([{ type: 'plain_text', name: 'ORIGINS', text: '["https://a.example.com"' }]), [
      '["https://a.example.com"',
    ]);
  });

  test('no ORIGINS binding is null; other bindings are ignored', () => {
    assert.equal(originsFromBindings([{ type: 'plain_text', name: 'FAIL_COOLDOWN_MS', text: '0' }]), null);
    assert.equal(originsFromBindings([]), null);
  });

  test('a binding without a usable value is an empty list', () => {
    assert.deepEqual(originsFromBindings([{ type: 'secret_text', name: 'ORIGINS' }]), []);
  });
});

describe('diffOrigins and sideBySide', () => {
  const current = ['https://a.example.com', 'https://b.example.com'];

  test('order does not matter', () => {
    assert.deepEqual(diffOrigins(current, [...current].reverse()), { added: [], removed: [], same: true });
  });

  test('added and removed', () => {
    assert.deepEqual(diffOrigins(current, ['https://b.example.com', 'https://c.example.com']), {
      added: ['https://c.example.com'],
      removed: ['https://a.example.com'],
      same: false,
    });
    assert.deepEqual(diffOrigins([], []), { added: [], removed: [], same: true });
  });

  test('rows: kept side by side, removed and added against "-"', () => {
    assert.deepEqual(sideBySide(current, ['https://b.example.com', 'https://c.example.com']), [
      ['https://a.example.com', '-'],
      ['https://b.example.com', 'https://b.example.com'],
      ['-', 'https://c.example.com'],
    ]);
    assert.deepEqual(sideBySide([], ['https://a.example.com']), [['-', 'https://a.example.com']]);
    assert.deepEqual(sideBySide([], []), []);
  });
});

describe('route patterns and Worker names', () => {
  test('routeUrl drops the trailing wildcard', () => {
    assert.equal(routeUrl('app.example.com/*'), 'https://app.example.com/');
    assert.equal(routeUrl('app.example.com/api/*'), 'https://app.example.com/api/');
  });

  test('valid patterns are lowercased; invalid ones name the flag', () => {
    assert.equal(validateRoutePattern('App.Example.com/*'), 'app.example.com/*');
    assert.equal(validateRoutePattern('*.example.com/*'), '*.example.com/*');
    for (const bad of ['https://app.example.com/*', 'app.example.com', 'app example.com/*', '', 'localhost/*']) {
      assert.throws(
        () => validateRoutePattern(bad),
        (e: Error) => e.message.startsWith('--route ') && /route pattern/.test(e.message),
        bad,
      );
    }
  });

  test('Worker names as Cloudflare accepts them', () => {
    assert.equal(validateWorkerName('dynia-slb'), 'dynia-slb');
    assert.equal(validateWorkerName('_x_1'), '_x_1');
    for (const bad of ['Dynia', '-slb', '', 'a'.repeat(64), 'a.b']) {
      assert.throws(() => validateWorkerName(bad), /--name .* is not a Worker name/, bad);
    }
  });
});

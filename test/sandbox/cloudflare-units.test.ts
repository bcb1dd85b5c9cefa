/** Pure parts of the Cloudflare emulator: record names and fields, pagination, faults. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeRecordName } from '../../sandbox/emulators/cloudflare/dns-names.js';
import { parseRecordFields } from '../../sandbox/emulators/cloudflare/dns-record-input.js';
import { CfApiError } from '../../sandbox/emulators/cloudflare/envelope.js';
import { FaultQueue, parseFaultSpec } from '../../sandbox/emulators/controls/faults.js';
import { faultReply } from '../../sandbox/emulators/cloudflare/fault-reply.js';
import { paginate, parsePaging } from '../../sandbox/emulators/cloudflare/pagination.js';

const codeOf = (fn: () => unknown): number => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CfApiError) return error.errors[0]!.code;
    throw error;
  }
  assert.fail('expected a CfApiError');
};

describe('normalizeRecordName', () => {
  const cases: Array<[string, string]> = [
    ['@', 'dynia.test'],
    ['dynia.test', 'dynia.test'],
    ['web-1', 'web-1.dynia.test'],
    ['WEB-1.Dynia.Test.', 'web-1.dynia.test'],
    ['*.apps.dynia.test', '*.apps.dynia.test'],
    ['_acme-challenge.web.dynia.test', '_acme-challenge.web.dynia.test'],
  ];
  for (const [raw, expected] of cases) it(`${raw} → ${expected}`, () => assert.equal(normalizeRecordName(raw, 'dynia.test'), expected));

  for (const raw of ['', 'web.example.com', 'notdynia.test', 'a..dynia.test', '-web', 'web_', 'a.*.dynia.test', 'x'.repeat(64)]) {
    it(`rejects ${JSON.stringify(raw)} with 9000`, () =>
      assert.equal(
        codeOf(() => normalizeRecordName(raw, 'dynia.test')),
        9000,
      ));
  }
});

describe('parseRecordFields', () => {
  it('fills defaults for a full record', () => {
    assert.deepEqual(parseRecordFields({ type: 'a', name: 'web', content: ' 10.0.0.1 ' }, 'dynia.test'), {
      type: 'A',
      name: 'web.dynia.test',
      content: '10.0.0.1',
      ttl: 1,
      proxied: false,
      comment: null,
      tags: [],
    });
  });

  it('merges a patch over the current record', () => {
    const current = parseRecordFields(
      { type: 'A', name: 'web', content: '10.0.0.1', ttl: 60, comment: 'keep', tags: ['team:ops'] },
      'dynia.test',
    );
    assert.deepEqual(parseRecordFields({ content: '10.0.0.2' }, 'dynia.test', current), { ...current, content: '10.0.0.2' });
  });

  it('normalizes CNAME targets and keeps TXT content verbatim', () => {
    assert.equal(parseRecordFields({ type: 'CNAME', name: 'www', content: 'Web.Dynia.Test.' }, 'dynia.test').content, 'web.dynia.test');
    assert.equal(parseRecordFields({ type: 'TXT', name: 't', content: ' v=spf1 -all ' }, 'dynia.test').content, ' v=spf1 -all ');
  });

  it('uses the documented error codes', () => {
    const zone = 'dynia.test';
    assert.equal(
      codeOf(() => parseRecordFields('nope', zone)),
      6007,
    );
    assert.equal(
      codeOf(() => parseRecordFields({ type: 'SRV', name: 'x', content: 'y' }, zone)),
      1004,
    );
    assert.equal(
      codeOf(() => parseRecordFields({ type: 'A', name: 'x', content: '1.2.3' }, zone)),
      9005,
    );
    assert.equal(
      codeOf(() => parseRecordFields({ type: 'AAAA', name: 'x', content: '1.2.3.4' }, zone)),
      9006,
    );
    assert.equal(
      codeOf(() => parseRecordFields({ type: 'A', name: 'x', content: '1.2.3.4', ttl: 59 }, zone)),
      9021,
    );
    assert.equal(
      codeOf(() => parseRecordFields({ type: 'A', name: 'x', content: '1.2.3.4', ttl: 60.5 }, zone)),
      9021,
    );
    assert.equal(
      codeOf(() => parseRecordFields({ type: 'A', name: 'x', content: '1.2.3.4', proxied: 'yes' }, zone)),
      1004,
    );
    assert.equal(
      codeOf(() => parseRecordFields({ type: 'A', name: 'x', content: '1.2.3.4', tags: ['bad tag'] }, zone)),
      1004,
    );
  });
});

describe('pagination', () => {
  const rules = { defaultPerPage: 100, minPerPage: 1, maxPerPage: 5_000_000 };

  it('defaults and slices with result_info', () => {
    const paging = parsePaging(new URLSearchParams(), rules);
    assert.deepEqual(paging, { page: 1, perPage: 100 });
    assert.deepEqual(paginate([1, 2, 3, 4, 5], { page: 2, perPage: 2 }), {
      items: [3, 4],
      info: { page: 2, per_page: 2, count: 2, total_count: 5, total_pages: 3 },
    });
    assert.deepEqual(paginate([], { page: 1, perPage: 20 }).info, { page: 1, per_page: 20, count: 0, total_count: 0, total_pages: 0 });
  });

  it('clamps per_page into the endpoint range and rejects non-positive integers', () => {
    assert.equal(parsePaging(new URLSearchParams('per_page=1000'), { defaultPerPage: 20, minPerPage: 5, maxPerPage: 50 }).perPage, 50);
    for (const query of ['page=0', 'page=1.5', 'per_page=-1', 'per_page=x', 'page=']) {
      assert.equal(
        codeOf(() => parsePaging(new URLSearchParams(query), rules)),
        1004,
        query,
      );
    }
  });
});

describe('faults', () => {
  it('consumes the oldest matching fault, by method and path prefix', () => {
    const queue = new FaultQueue();
    queue.add(parseFaultSpec({ match: { method: 'post', path: '/zones' }, count: 1, status: 500 }));
    queue.add(parseFaultSpec({ count: 2, hang: true }));
    assert.deepEqual(queue.take('POST', '/zones/x/dns_records'), { kind: 'status', status: 500 });
    assert.deepEqual(queue.take('POST', '/zones/x/dns_records'), { kind: 'hang' });
    assert.deepEqual(queue.take('GET', '/accounts'), { kind: 'hang' });
    assert.equal(queue.take('GET', '/accounts'), undefined);
  });

  it('answers a 429 with retry-after and Cloudflare error codes per status', () => {
    assert.deepEqual(faultReply({ status: 429 }), {
      headers: { 'retry-after': '1' },
      error: { code: 971, message: 'Please wait and consider throttling your request speed' },
    });
    assert.deepEqual(faultReply({ status: 503, retryAfter: 4 }).headers, { 'retry-after': '4' });
    assert.deepEqual(faultReply({ status: 500 }).headers, {});
    assert.equal(faultReply({ status: 403 }).error.code, 10000);
  });

  it('rejects malformed specs', () => {
    for (const spec of [
      null,
      { count: 1 },
      { count: 1, status: 200 },
      { count: -1, status: 500 },
      { count: 1, status: 500, retryAfter: -2 },
      { count: 1, match: 'x', status: 500 },
    ]) {
      assert.throws(() => parseFaultSpec(spec), JSON.stringify(spec));
    }
  });
});

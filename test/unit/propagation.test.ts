import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, test } from 'node:test';
import type { DyniaError } from '../../src/errors.js';
import { defaultQuery, waitForPropagation, type DnsQuery } from '../../src/dns/propagation.js';
import { describePending, propagationVerdict, type ResolverAnswer } from '../../src/dns/verdict.js';
import { startDnsResponder } from './propagation-dns-responder.js';

const a = { host: '10.0.0.1', port: 53 };
const b = { host: '127.0.0.1', port: 5353 };

describe('propagationVerdict', () => {
  test('done only when every resolver answers exactly the address', () => {
    assert.deepEqual(
      propagationVerdict('1.2.3.4', [
        { resolver: a, answer: { ips: ['1.2.3.4'] } },
        { resolver: b, answer: { ips: ['1.2.3.4'] } },
      ]),
      { done: true, pending: [] },
    );
    const stale: ResolverAnswer = { resolver: b, answer: { ips: ['1.2.3.4', '5.6.7.8'] } };
    const missing: ResolverAnswer = { resolver: a, answer: { error: 'NXDOMAIN' } };
    assert.deepEqual(propagationVerdict('1.2.3.4', [missing, stale]), { done: false, pending: [missing, stale] });
    assert.deepEqual(propagationVerdict('1.2.3.4', [{ resolver: a, answer: { ips: [] } }]).done, false);
    assert.equal(propagationVerdict('1.2.3.4', []).done, false);
  });

  test('pending resolvers are described with what they answer', () => {
    assert.equal(
      describePending([
        { resolver: a, answer: { ips: ['5.6.7.8'] } },
        { resolver: b, answer: { error: 'NXDOMAIN' } },
        { resolver: { host: '::1', port: 53 }, answer: { ips: [] } },
      ]),
      '10.0.0.1:53 answers 5.6.7.8; 127.0.0.1:5353 answers NXDOMAIN; [::1]:53 answers no A records',
    );
  });
});

describe('waitForPropagation', () => {
  test('polls until all resolvers agree, reporting each round', async () => {
    let round = 0;
    const query: DnsQuery = async (_name, resolver) => (resolver === a || round >= 2 ? { ips: ['1.2.3.4'] } : { error: 'NXDOMAIN' });
    const seen: number[] = [];
    const result = await waitForPropagation(
      { name: 'web-1.example.com', expectedIp: '1.2.3.4', resolvers: [a, b], intervalMs: 5, onPoll: () => seen.push(++round) },
      query,
    );
    assert.equal(result.polls, 3);
    assert.deepEqual(seen, [1, 2, 3]);
  });

  test('gives up with a TimeoutError naming each resolver still wrong', async () => {
    const query: DnsQuery = async (_name, resolver) => (resolver === a ? { ips: ['1.2.3.4'] } : { ips: ['9.9.9.9'] });
    await assert.rejects(
      waitForPropagation({ name: 'web-1.example.com', expectedIp: '1.2.3.4', resolvers: [a, b], timeoutMs: 50, intervalMs: 20 }, query),
      (error: DyniaError) => {
        assert.equal(error.kind, 'timeout');
        assert.equal(error.message, 'DNS for web-1.example.com did not point at 1.2.3.4 within 0 s: 127.0.0.1:5353 answers 9.9.9.9.');
        return true;
      },
    );
  });

  test('no resolvers is a configuration error', async () => {
    await assert.rejects(
      waitForPropagation({ name: 'x.example.com', expectedIp: '1.2.3.4', resolvers: [] }),
      (error: DyniaError) => error.kind === 'config',
    );
  });
});

describe('defaultQuery against a local DNS server on a non-standard port', () => {
  test('answers, NXDOMAIN and an unresponsive server', async () => {
    const records = new Map([['web-1.example.test', ['172.28.0.11']]]);
    const dns = await startDnsResponder(records);
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    try {
      const local = { host: '127.0.0.1', port: dns.port };
      assert.deepEqual(await defaultQuery('web-1.example.test', local, 1000), { ips: ['172.28.0.11'] });
      assert.deepEqual(await defaultQuery('nope.example.test', local, 1000), { error: 'NXDOMAIN' });
      assert.deepEqual(await defaultQuery('web-1.example.test', { host: '127.0.0.1', port: silent.address().port }, 200), {
        error: 'TIMEOUT',
      });
      assert.deepEqual(dns.queries, ['web-1.example.test', 'nope.example.test']);

      setTimeout(() => records.set('app.example.test', ['172.28.0.11']), 150);
      const result = await waitForPropagation({
        name: 'app.example.test',
        expectedIp: '172.28.0.11',
        resolvers: [local],
        intervalMs: 50,
        timeoutMs: 5000,
      });
      assert.ok(result.polls >= 2, `took ${result.polls} polls`);
    } finally {
      silent.close();
      await dns.close();
    }
  });
});

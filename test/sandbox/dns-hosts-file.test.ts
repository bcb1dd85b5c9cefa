import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertZoneName, qualify, renderStaticHosts, renderZoneHosts, zoneFileName } from '../../sandbox/dns/hosts-file.js';

describe('zone hosts file', () => {
  test('A and AAAA records become sorted, unique "IP name" lines; other types are left out', () => {
    const text = renderZoneHosts('dynia.test', [
      { name: 'web-2.dynia.test', type: 'A', content: '172.29.0.11', ttl: 60 },
      { name: 'web-1.dynia.test', type: 'A', content: '172.29.0.10', ttl: 1 },
      { name: 'web-1.dynia.test', type: 'A', content: '172.29.0.10', ttl: 1 },
      { name: 'v6', type: 'AAAA', content: 'fd00::1', ttl: 1 },
      { name: 'www.dynia.test', type: 'CNAME', content: 'web-1.dynia.test', ttl: 1 },
      { name: 'dynia.test', type: 'TXT', content: 'hello', ttl: 1 },
    ]);
    assert.equal(
      text,
      '# zone dynia.test: written by the sandbox DNS publisher\n' +
        '172.29.0.10 web-1.dynia.test\n' +
        '172.29.0.11 web-2.dynia.test\n' +
        'fd00::1 v6.dynia.test\n',
    );
  });

  test('no records: only the header (dnsmasq then drops what the file held)', () => {
    assert.equal(renderZoneHosts('dynia.test', []), '# zone dynia.test: written by the sandbox DNS publisher\n');
  });

  test('names are qualified and lower-cased', () => {
    assert.equal(qualify('@', 'dynia.test'), 'dynia.test');
    assert.equal(qualify('', 'dynia.test'), 'dynia.test');
    assert.equal(qualify('dynia.test', 'dynia.test'), 'dynia.test');
    assert.equal(qualify('Web-1', 'dynia.test'), 'web-1.dynia.test');
    assert.equal(qualify('web-1.dynia.test.', 'dynia.test'), 'web-1.dynia.test');
  });

  test('zone names must be safe file names', () => {
    assert.equal(zoneFileName('dynia.test'), 'zone-dynia.test');
    for (const bad of ['../etc', 'a/b', '', '-x.test', 'x..test', 'UPPER.test']) {
      assert.throws(() => assertZoneName(bad), /invalid DNS zone name/);
    }
  });

  test('static names', () => {
    assert.equal(
      renderStaticHosts([
        { ip: '172.29.0.2', names: ['pebble', 'acme'] },
        { ip: '172.29.0.3', names: ['registry'] },
      ]),
      '# sandbox services\n172.29.0.2 pebble acme\n172.29.0.3 registry\n',
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cidrsContain, validateCidrList } from '../../src/validate/cidr.js';
import { healthPathProblem } from '../../src/validate/health-path.js';
import { validateSlug } from '../../src/validate/slug.js';

describe('health paths are RFC 3986 path segments', () => {
  test('accepts well-formed escapes, sub-delims and queries', () => {
    for (const path of ['/', '/%7Euser', '/a%2Fb', '/a;b=c', '/h?x=/y?z', '/%E2%9C%93'])
      assert.equal(healthPathProblem(path), undefined, path);
  });
  test('refuses malformed percent-escapes with their position', () => {
    assert.equal(healthPathProblem('/%zz'), "has a malformed percent-escape at position 2 ('%' must be followed by two hex digits)");
    for (const bad of ['/%', '/a%2', '/%g0', '/ok?q=%', '/a%%20']) assert.match(healthPathProblem(bad)!, /malformed percent-escape/, bad);
  });
  test("refuses '..' also when escaped", () => {
    for (const bad of ['/a/../b', '/%2e%2e/etc', '/.%2E', '/..']) assert.equal(healthPathProblem(bad), "contains a '..' segment", bad);
  });
  test('refuses characters outside pchar', () => {
    for (const bad of ['/a b', "/a'b", '/a#b', '/a[b]', '/a|b', '/a^b']) assert.match(healthPathProblem(bad)!, /not allowed/, bad);
  });
});

describe('--ssh-from', () => {
  test('accepts addresses and CIDRs, drops duplicates', () => {
    assert.deepEqual(validateCidrList('203.0.113.7, 10.0.0.0/8,10.0.0.0/8,2001:db8::/32', '--ssh-from'), [
      '203.0.113.7',
      '10.0.0.0/8',
      '2001:db8::/32',
    ]);
  });
  test('refuses what is not an address or CIDR', () => {
    assert.throws(() => validateCidrList('10.0.0.0/33', '--ssh-from'), /--ssh-from "10.0.0.0\/33" has a prefix length that is not 0-32/);
    assert.throws(() => validateCidrList('example.com', '--ssh-from'), /is not an IPv4 or IPv6 address/);
    assert.throws(() => validateCidrList('10.0.0.1,', '--ssh-from'), /has an empty entry/);
    assert.throws(() => validateCidrList('1.2.3.4/8/9', '--ssh-from'), /more than one/);
  });
  test('containment', () => {
    assert.equal(cidrsContain(['10.0.0.0/8'], '10.1.2.3'), true);
    assert.equal(cidrsContain(['203.0.113.7'], '203.0.113.7'), true);
    assert.equal(cidrsContain(['203.0.113.7'], '203.0.113.8'), false);
    assert.equal(cidrsContain(['0.0.0.0/0', '::/0'], '2001:db8::1'), true);
    assert.equal(cidrsContain(['192.0.2.0/24'], 'not-an-ip'), false);
  });
});

describe('slugs', () => {
  test('accepts DigitalOcean slugs, refuses the rest', () => {
    assert.equal(validateSlug('ubuntu-24-04-x64', '--image', 'ubuntu-24-04-x64'), 'ubuntu-24-04-x64');
    assert.throws(() => validateSlug('NYC3', '--region', 'nyc3'), /--region "NYC3" is not a DigitalOcean slug/);
    assert.throws(() => validateSlug('s-1vcpu 1gb', '--size', 's-1vcpu-1gb'), /not a DigitalOcean slug/);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DyniaError } from '../../src/errors.js';
import { validateHealthPath } from '../../src/validate/health-path.js';
import { validateHostname } from '../../src/validate/hostname.js';
import { validateNodeName } from '../../src/validate/node-name.js';
import { validatePort } from '../../src/validate/port.js';
import { validateProjectName } from '../../src/validate/project-name.js';

const inputError = (message: string) => (error: DyniaError) => {
  assert.equal(error.kind, 'input');
  assert.equal(error.message, message);
  assert.ok(error.hint);
  return true;
};

describe('validateNodeName', () => {
  test('accepts DNS labels', () => {
    for (const name of ['a', 'web-1', '0node', 'x'.repeat(63)]) assert.equal(validateNodeName(name), name);
  });
  test('rejects with the reason', () => {
    assert.throws(() => validateNodeName(''), inputError('--name "" is empty; a node name must be a single DNS label.'));
    assert.throws(
      () => validateNodeName('x'.repeat(64)),
      inputError(`--name "${'x'.repeat(64)}" is 64 characters long (at most 63); a node name must be a single DNS label.`),
    );
    assert.throws(
      () => validateNodeName('Web'),
      inputError('--name "Web" contains uppercase letters; a node name must be a single DNS label.'),
    );
    assert.throws(
      () => validateNodeName('-web'),
      inputError(`--name "-web" starts or ends with '-'; a node name must be a single DNS label.`),
    );
    assert.throws(
      () => validateNodeName('web_1', 'node'),
      inputError(`node "web_1" contains characters other than a-z, 0-9 and '-'; a node name must be a single DNS label.`),
    );
    assert.throws(() => validateNodeName('a.b'), /characters other than/);
  });
});

describe('validateHealthPath', () => {
  test('accepts URL paths with queries', () => {
    for (const path of ['/', '/health', '/api/v1/ready?full=1', '/%7Euser/a.b_c-d~e']) assert.equal(validateHealthPath(path), path);
  });
  test('rejects with the reason', () => {
    assert.throws(() => validateHealthPath('health'), inputError(`--health-path "health" does not start with '/'.`));
    assert.throws(() => validateHealthPath('/a/../etc'), inputError(`--health-path "/a/../etc" contains a '..' segment.`));
    assert.throws(
      () => validateHealthPath('/a b'),
      inputError('--health-path "/a b" contains whitespace, quotes, braces or other characters not allowed in a URL path.'),
    );
    for (const bad of ['/a"b', "/a'b", '/{x}', '/a\nb', '/a\tb', '/a`b', '/a\\b'])
      assert.throws(() => validateHealthPath(bad), /not allowed/);
  });
});

describe('validateHostname', () => {
  test('accepts RFC 1123 names with two or more labels, lowercased', () => {
    assert.equal(validateHostname('App.Example.COM', '--domain'), 'app.example.com');
    assert.equal(validateHostname('web-1.dynia.test', 'x'), 'web-1.dynia.test');
    assert.equal(validateHostname('app.localhost', 'x'), 'app.localhost');
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    assert.equal(validateHostname(long, 'x'), long);
  });
  test('rejects with the reason', () => {
    assert.throws(
      () => validateHostname('localhost', '--domain'),
      inputError('--domain "localhost" has a single label (a domain needs at least two, e.g. app.example.com).'),
    );
    assert.throws(
      () => validateHostname('a..b', 'd'),
      inputError(`d "a..b" has the label ""; labels use a-z, 0-9 and '-', not at their start or end.`),
    );
    assert.throws(() => validateHostname('example.com.', 'd'), inputError(`d "example.com." ends with '.'.`));
    assert.throws(() => validateHostname('10.0.0.1', 'd'), inputError('d "10.0.0.1" looks like an IP address, not a domain.'));
    assert.throws(() => validateHostname(`${'a'.repeat(64)}.com`, 'd'), /a label of 64 characters/);
    assert.throws(() => validateHostname(`${'a.'.repeat(127)}com`, 'd'), /257 characters long/);
    for (const bad of ['', 'a b.com', 'a{b.com', 'a"b.com', 'a\n.com', 'https://a.com', 'a.com:80', '*.a.com', '-a.com', 'a_b.com']) {
      assert.throws(
        () => validateHostname(bad, 'd'),
        (error: DyniaError) => error.kind === 'input',
      );
    }
  });
});

describe('validatePort', () => {
  test('accepts 1–65535 from numbers and strings', () => {
    assert.equal(validatePort(8080, 'p'), 8080);
    assert.equal(validatePort('65535', 'p'), 65535);
    assert.equal(validatePort(' 1 ', 'p'), 1);
  });
  test('rejects anything else, naming the field', () => {
    assert.throws(
      () => validatePort('http', 'label dynia.port on service web'),
      inputError('label dynia.port on service web "http" is not a TCP port.'),
    );
    for (const bad of [0, 65536, 80.5, -1, NaN, '', '0x50', '8080/tcp', '1e3', '123456'])
      assert.throws(() => validatePort(bad, 'p'), /is not a TCP port/);
  });
});

describe('validateProjectName', () => {
  test('accepts compose project names, rejects paths', () => {
    assert.equal(validateProjectName('my-app_2-blue', 'p'), 'my-app_2-blue');
    for (const bad of ['', '..', 'a/b', 'App', '-a', 'a b']) assert.throws(() => validateProjectName(bad, 'p'), /is not a valid name/);
  });
});

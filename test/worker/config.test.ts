import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigProblem, parseOrigins, readSettings } from '../../worker/src/config.js';

const https = { allowHttp: false };

describe('parseOrigins', () => {
  it('reads a comma list, trimming and normalising to bare origins', () => {
    assert.deepEqual(parseOrigins(' https://Web-1.Example.com , https://web-2.example.com:8443/ ,', https), [
      'https://web-1.example.com',
      'https://web-2.example.com:8443',
    ]);
  });

  it('reads a JSON array string and a json binding (real array)', () => {
    assert.deepEqual(parseOrigins('["https://a.example.com","https://b.example.com"]', https), [
      'https://a.example.com',
      'https://b.example.com',
    ]);
    assert.deepEqual(parseOrigins(['https://a.example.com'], https), ['https://a.example.com']);
  });

  it('drops duplicates and default ports', () => {
    assert.deepEqual(parseOrigins('https://a.example.com,https://a.example.com:443,https://A.example.com/', https), [
      'https://a.example.com',
    ]);
  });

  it('refuses http unless allowed', () => {
    assert.throws(() => parseOrigins('http://127.0.0.1:8080', https), { message: 'ORIGINS entry 1 must use https' });
    assert.deepEqual(parseOrigins('http://127.0.0.1:8080', { allowHttp: true }), ['http://127.0.0.1:8080']);
  });

  it('rejects anything that is not a bare origin, naming the entry but not its value', () => {
    const cases: Array<[unknown, string]> = [
      [undefined, 'ORIGINS is missing'],
      ['', 'ORIGINS lists no origin'],
      ['[]', 'ORIGINS lists no origin'],
      ['[oops', 'ORIGINS looks like JSON but does not parse'],
      ['{"a":1}', 'ORIGINS entry 1 is not a URL'],
      ['[{"a":1}]', 'ORIGINS entry 1 is not a string'],
      ['"https://a.example.com"', 'ORIGINS entry 1 is not a URL'],
      ['[1]', 'ORIGINS entry 1 is not a string'],
      ['https://a.example.com,not a url', 'ORIGINS entry 2 is not a URL'],
      ['ftp://a.example.com', 'ORIGINS entry 1 must use https'],
      ['https://user:pw@a.example.com', 'ORIGINS entry 1 must not carry credentials'],
      ['https://a.example.com/app', 'ORIGINS entry 1 must be a bare origin (no path, query or fragment)'],
      ['https://a.example.com?x=1', 'ORIGINS entry 1 must be a bare origin (no path, query or fragment)'],
      ['https://a.example.com?', 'ORIGINS entry 1 must be a bare origin (no path, query or fragment)'],
      ['https://a.example.com#f', 'ORIGINS entry 1 must be a bare origin (no path, query or fragment)'],
    ];
    for (const [raw, message] of cases) {
      assert.throws(
        () => parseOrigins(raw, https),
        (error: unknown) => error instanceof ConfigProblem && error.message === message,
        String(raw),
      );
    }
  });
});

describe('readSettings', () => {
  it('applies defaults', () => {
    assert.deepEqual(readSettings({ ORIGINS: 'https://a.example.com' }), {
      origins: ['https://a.example.com'],
      timeoutMs: 5000,
      cooldownMs: 10000,
    });
  });

  it('reads explicit values, string or number, and ALLOW_HTTP_ORIGINS only when exactly "true"', () => {
    assert.deepEqual(
      readSettings({ ORIGINS: 'http://127.0.0.1:1', ALLOW_HTTP_ORIGINS: 'true', ORIGIN_TIMEOUT_MS: '250', FAIL_COOLDOWN_MS: 0 }),
      { origins: ['http://127.0.0.1:1'], timeoutMs: 250, cooldownMs: 0 },
    );
    assert.throws(() => readSettings({ ORIGINS: 'http://127.0.0.1:1', ALLOW_HTTP_ORIGINS: 'yes' }), /must use https/);
  });

  it('rejects malformed durations', () => {
    for (const bad of ['0', '-1', '1.5', '5s', 'abc']) {
      assert.throws(() => readSettings({ ORIGINS: 'https://a.example.com', ORIGIN_TIMEOUT_MS: bad }), {
        message: 'ORIGIN_TIMEOUT_MS must be an integer >= 1',
      });
    }
    assert.throws(() => readSettings({ ORIGINS: 'https://a.example.com', FAIL_COOLDOWN_MS: '-5' }), {
      message: 'FAIL_COOLDOWN_MS must be an integer >= 0',
    });
  });
});

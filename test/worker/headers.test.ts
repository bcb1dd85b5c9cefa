import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toClientHeaders, toOriginHeaders, withoutHopByHop } from '../../worker/src/headers.js';
import { upstreamUrl } from '../../worker/src/upstream-url.js';

function entries(headers: Headers): Array<[string, string]> {
  const list: Array<[string, string]> = [];
  headers.forEach((value, name) => list.push([name, value]));
  return list;
}

describe('withoutHopByHop', () => {
  it('drops the RFC 9110 list and whatever Connection names', () => {
    const incoming = new Headers({
      connection: 'keep-alive, X-Secret-Hop',
      'keep-alive': 'timeout=5',
      'proxy-connection': 'keep-alive',
      'proxy-authenticate': 'Basic',
      'proxy-authorization': 'Basic abc',
      te: 'trailers',
      trailer: 'x-t',
      'transfer-encoding': 'chunked',
      upgrade: 'websocket',
      'x-secret-hop': '1',
      accept: 'text/html',
      authorization: 'Bearer kept',
    });
    assert.deepEqual(entries(withoutHopByHop(incoming)), [
      ['accept', 'text/html'],
      ['authorization', 'Bearer kept'],
    ]);
  });
});

describe('toOriginHeaders', () => {
  it('drops Host and sets X-Forwarded-* from what Cloudflare vouches for', () => {
    const incoming = new Headers({
      host: 'app.example.com',
      'cf-connecting-ip': '203.0.113.7',
      'x-forwarded-for': '10.6.6.6',
      'x-forwarded-host': 'spoofed.example',
      'x-forwarded-proto': 'gopher',
      connection: 'close',
      cookie: 'a=1',
    });
    assert.deepEqual(entries(toOriginHeaders(incoming, { clientIp: '203.0.113.7', proto: 'https', host: 'app.example.com' })), [
      ['cf-connecting-ip', '203.0.113.7'],
      ['cookie', 'a=1'],
      ['x-forwarded-for', '203.0.113.7'],
      ['x-forwarded-host', 'app.example.com'],
      ['x-forwarded-proto', 'https'],
    ]);
  });

  it('leaves X-Forwarded-For alone when there is no CF-Connecting-IP', () => {
    const incoming = new Headers({ 'x-forwarded-for': '198.51.100.1' });
    assert.deepEqual(entries(toOriginHeaders(incoming, { clientIp: null, proto: 'http', host: 'localhost:8787' })), [
      ['x-forwarded-for', '198.51.100.1'],
      ['x-forwarded-host', 'localhost:8787'],
      ['x-forwarded-proto', 'http'],
    ]);
  });
});

describe('toClientHeaders', () => {
  it('strips hop-by-hop headers, keeps every Set-Cookie and tags the origin and attempts', () => {
    const fromOrigin = new Headers([
      ['connection', 'keep-alive, x-internal'],
      ['x-internal', '1'],
      ['transfer-encoding', 'chunked'],
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    const headers = toClientHeaders(fromOrigin, 'https://web-2.example.com', 2);
    assert.deepEqual(headers.getSetCookie(), ['a=1', 'b=2']);
    assert.deepEqual(entries(headers), [
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-dynia-attempts', '2'],
      ['x-dynia-origin', 'https://web-2.example.com'],
    ]);
  });
});

describe('upstreamUrl', () => {
  const origin = 'https://web-1.example.com';
  it('keeps path and query and takes nothing else from the request', () => {
    assert.equal(upstreamUrl(origin, new URL('http://evil.example:81/a/b?x=1&y=%20#frag')), 'https://web-1.example.com/a/b?x=1&y=%20');
  });

  it('cannot be steered to another host by tricky paths', () => {
    for (const path of ['//evil.example/x', '/@evil.example/', '/..//evil.example', '/\\\\evil.example/x']) {
      const target = upstreamUrl(origin, new URL(`https://app.example.com${path}`));
      assert.equal(new URL(target).origin, origin, path);
    }
  });
});

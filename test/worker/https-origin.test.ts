/**
 * An https origin with a self-signed certificate, verified by workerd itself: the Worker's outbound network
 * is a workerd network service told to trust that one certificate (Miniflare `outboundService`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { send, startWorker } from './helpers.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let dir: string;
let certificate: string;
let server: https.Server;
let originUrl: string;
const seen: Array<{ host: string | undefined; sni: string | false | null; forwardedHost: string | undefined }> = [];

before(async () => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'dynia-slb-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
  server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: certificate }, (req, res) => {
    seen.push({
      host: req.headers.host,
      sni: (req.socket as TLSSocket).servername,
      forwardedHost: req.headers['x-forwarded-host'] as string | undefined,
    });
    res.end('secure hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  originUrl = `https://localhost:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  if (!hasOpenssl) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('https origin', { skip: !hasOpenssl && 'openssl is not installed' }, () => {
  it('is reached over verified TLS with SNI and Host = the origin host name', async () => {
    const worker = await startWorker(
      { ORIGINS: originUrl, ALLOW_HTTP_ORIGINS: 'false' },
      { outboundService: { network: { allow: ['public', 'private'], tlsOptions: { trustedCertificates: [certificate] } } } },
    );
    try {
      const response = await send(new URL('/tls', worker.url), { headers: { host: 'app.example.com' } });
      assert.equal(response.status, 200);
      assert.equal(response.body, 'secure hello');
      assert.equal(response.headers['x-dynia-origin'], originUrl);
      assert.deepEqual(seen.at(-1), { host: new URL(originUrl).host, sni: 'localhost', forwardedHost: 'app.example.com' });
    } finally {
      await worker.close();
    }
  });

  it('is refused when its certificate is not trusted (503, nothing served)', async () => {
    const before = seen.length;
    const worker = await startWorker({ ORIGINS: originUrl, ALLOW_HTTP_ORIGINS: 'false' });
    try {
      const response = await send(new URL('/untrusted', worker.url));
      assert.equal(response.status, 503);
      assert.equal(seen.length, before);
    } finally {
      await worker.close();
    }
  });
});

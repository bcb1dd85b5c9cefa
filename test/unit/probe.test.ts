import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rootCertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { probeHttps, trustStore, type ProbeOptions, type ProbeResult } from '../../src/health/probe.js';
import { childModule } from './child-module.js';
import { startDnsResponder } from './propagation-dns-responder.js';

const srcHealth = fileURLToPath(new URL('../../src/health/', import.meta.url));

/** A throwaway CA and a server certificate it signs for the names the tests use. */
function makeCertificates(dir: string): { ca: string; otherCa: string; key: string; cert: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  // P-256 keys: generated in a millisecond, where RSA takes a quarter of a second each.
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const name of ['ca', 'other-ca']) {
    openssl('req', '-x509', ...newKey, '-days', '1', '-subj', `/CN=dynia test ${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
  }
  openssl('req', ...newKey, '-subj', '/CN=app.localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:app.localhost,DNS:web-1.example.test\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return { ca: read('ca.pem'), otherCa: read('other-ca.pem'), key: read('server.key'), cert: read('server.pem') };
}

/**
 * Probes from a child process whose NODE_EXTRA_CA_CERTS trusts `caFile` (Node reads it only at start-up, and the
 * product trusts a private CA only that way), all in one start-up. Asynchronous: the servers answer from this process.
 * `probe` is the URL of a plain JavaScript module exporting probeHttps (the child runs without tsx).
 */
async function probesTrusting(
  probe: string,
  caFile: string,
  calls: Array<[string, ProbeOptions?]>,
  opts: { preconnect?: boolean } = {},
): Promise<ProbeResult[]> {
  const script = `const { preconnect, probeHttps } = await import(${JSON.stringify(probe)});
    const results = [];
    for (const [url, options] of JSON.parse(process.argv[1]))
      results.push(await probeHttps(url, ${opts.preconnect ? '{ ...options, agent: preconnect(url, options) }' : 'options'}));
    process.stdout.write(JSON.stringify(results));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(calls)], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
  });
  return JSON.parse(stdout) as ProbeResult[];
}

describe('probeHttps against a local HTTPS server', () => {
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  let server: Server;
  let silent: TcpServer;
  const silentSockets: Socket[] = [];
  let port: number;
  let dns: Awaited<ReturnType<typeof startDnsResponder>>;
  let probe: string;
  let connections = 0;
  let requests = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dynia-probe-'));
    certs = makeCertificates(dir);
    probe = await childModule("export { preconnect, probeHttps } from './probe.ts';", srcHealth, join(dir, 'probe.mjs'));
    server = createHttpsServer({ key: certs.key, cert: certs.cert }, (req, res) => {
      requests++;
      const status = Number(new URL(req.url!, 'https://x').searchParams.get('status') ?? 200);
      res.writeHead(status, status === 302 ? { location: '/login' } : {}).end('hello');
    });
    server.on('secureConnection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    silent = createTcpServer((socket) => silentSockets.push(socket)); // accepts, never speaks TLS
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    dns = await startDnsResponder(
      new Map([
        ['web-1.example.test', ['127.0.0.1']],
        ['other.example.test', ['127.0.0.1']],
      ]),
    );
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    silentSockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => silent.close(resolve));
    await dns.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a 2xx or 3xx over a trusted certificate is ok', async () => {
    const [result, redirect] = await probesTrusting(probe, join(dir, 'ca.pem'), [
      [`https://app.localhost:${port}/health`],
      [`https://app.localhost:${port}/?status=302`],
    ]);
    assert.deepEqual({ ...result, ms: 0 }, { ok: true, status: 200, ms: 0 });
    assert.equal(redirect!.ok, true);
  });

  test('preconnected: the probe sends its request over the connection opened before it, which carried nothing else', async () => {
    const seen = { connections, requests };
    const [result] = await probesTrusting(probe, join(dir, 'ca.pem'), [[`https://app.localhost:${port}/health`]], { preconnect: true });
    assert.deepEqual({ ...result, ms: 0 }, { ok: true, status: 200, ms: 0 });
    assert.deepEqual({ connections: connections - seen.connections, requests: requests - seen.requests }, { connections: 1, requests: 1 });
  });

  test('a preconnected agent no probe takes keeps no process alive, and sends nothing', async () => {
    const seen = { connections, requests };
    const script = `const { preconnect } = await import(${JSON.stringify(probe)});
      preconnect(process.argv[1]);
      setTimeout(() => {}, 300);`;
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, `https://app.localhost:${port}/`], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') },
      timeout: 10_000,
    });
    assert.deepEqual({ connections: connections - seen.connections, requests: requests - seen.requests }, { connections: 1, requests: 0 });
  });

  test('an error status is reported, not thrown', async () => {
    const [result] = await probesTrusting(probe, join(dir, 'ca.pem'), [[`https://app.localhost:${port}/health?status=503`]]);
    assert.deepEqual(
      { ...result, ms: 0 },
      { ok: false, status: 503, error: `https://app.localhost:${port}/health?status=503 answered HTTP 503.`, ms: 0 },
    );
  });

  test('an untrusted certificate says how to trust a private CA', async () => {
    const result = await probeHttps(`https://app.localhost:${port}/`);
    assert.equal(result.ok, false);
    assert.equal(result.status, undefined);
    assert.match(
      result.error!,
      /^the certificate of app\.localhost:\d+ is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. .*DYNIA_ACME_CA_ROOT or NODE_EXTRA_CA_CERTS/,
    );
  });

  test('with an explicit ca, NODE_EXTRA_CA_CERTS is still trusted', () => {
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = join(dir, 'ca.pem');
    try {
      assert.deepEqual(trustStore(certs.otherCa), [...rootCertificates, certs.ca, certs.otherCa]);
      process.env.NODE_EXTRA_CA_CERTS = join(dir, 'missing.pem');
      assert.deepEqual(trustStore(certs.otherCa), [...rootCertificates, certs.otherCa], 'an unreadable file is ignored, as Node does');
    } finally {
      if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = saved;
    }
  });

  test('names resolve through the given resolvers; the certificate must cover the name', async () => {
    const options = { resolvers: [{ host: '127.0.0.1', port: dns.port }] };
    const [found, wrongName, unknown] = await probesTrusting(probe, join(dir, 'ca.pem'), [
      [`https://web-1.example.test:${port}/`, options],
      [`https://other.example.test:${port}/`, options],
      [`https://nope.example.test:${port}/`, options],
    ]);
    assert.equal(found!.ok, true);
    assert.match(wrongName!.error!, /^the certificate served for other\.example\.test:\d+ is for another name/);
    assert.match(unknown!.error!, /^nope\.example\.test:\d+ does not resolve \(ENOTFOUND\)\.$/);
  });

  test('refused and silent servers come back as results within the timeout', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    assert.match((await probeHttps(`https://app.localhost:${closedPort}/`, { timeoutMs: 1000 })).error!, /refused/);

    const result = await probeHttps(`https://app.localhost:${(silent.address() as AddressInfo).port}/`, { timeoutMs: 300 });
    assert.equal(result.ok, false);
    assert.match(result.error!, /^no answer from app\.localhost:\d+ in time/);
    assert.ok(result.ms < 2000, `took ${result.ms} ms`);
  });
});

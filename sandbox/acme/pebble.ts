/**
 * The sandbox's Let's Encrypt: pebble with REAL HTTP-01 validation against the node hosts, resolving names through
 * resolver A. Its endpoint's TLS key stays the same across restarts (kept in the sandbox dir); its issuing root does
 * not (pebble makes a new one at every start), so a running pebble is never restarted, and after a start the trust
 * files are rewritten:
 *   ca-bundle.pem  pebble root + intermediate + the endpoint's cert (NODE_EXTRA_CA_CERTS for the CLI and the Worker)
 *   acme-root.pem  the endpoint's cert (what Caddy trusts for the ACME directory)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import type { ContainerInfo } from '../docker.js';
import { run } from '../exec.js';
import { SANDBOX } from '../layout.js';
import { files } from '../paths.js';
import { refreshTrustBundle } from '../trust-bundle.js';
import { ensureService } from '../service.js';

export const ACME_DIRECTORY_URL = 'https://pebble:14000/dir';

const tlsKey = () => join(files.pebbleDir(), 'endpoint.key');
const tlsCert = () => join(files.pebbleDir(), 'endpoint.pem');

export async function ensurePebble(infos: Map<string, ContainerInfo>): Promise<'running' | 'started'> {
  const name = SANDBOX.containers.pebble;
  await ensureEndpointCert();
  writePebbleConfig();
  const args = [
    '-e',
    'PEBBLE_VA_NOSLEEP=1',
    '-e',
    'PEBBLE_VA_ALWAYS_VALID=0',
    // Pebble rejects 5% of nonces by default to exercise client retries; the sandbox wants repeatable runs.
    '-e',
    'PEBBLE_WFE_NONCEREJECT=0',
    '-v',
    `${files.pebbleDir()}:/etc/pebble:ro`,
    SANDBOX.images.acme,
    'pebble',
    '-strict=false',
    '-config',
    '/etc/pebble/pebble-config.json',
    '-dnsserver',
    `${SANDBOX.resolverIps[0]}:53`,
  ];
  const result = await ensureService({ name, ip: SANDBOX.pebbleIp, args }, infos.get(name));
  if (result === 'started' || !existsSync(files.caBundle())) await writeTrustFiles();
  return result;
}

async function ensureEndpointCert(): Promise<void> {
  mkdirSync(files.pebbleDir(), { recursive: true });
  if (existsSync(tlsKey()) && existsSync(tlsCert())) return;
  const san = `subjectAltName=DNS:pebble,DNS:acme,DNS:localhost,IP:127.0.0.1,IP:${SANDBOX.pebbleIp}`;
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '3650',
    '-subj',
    '/CN=pebble',
    '-addext',
    san,
    '-keyout',
    tlsKey(),
    '-out',
    tlsCert(),
  ]);
}

/** Rewritten only when different: pebble reads it at start, and an unchanged file keeps a warm `up` quiet. */
function writePebbleConfig(): void {
  const config = {
    pebble: {
      listenAddress: '0.0.0.0:14000',
      managementListenAddress: '0.0.0.0:15000',
      certificate: '/etc/pebble/endpoint.pem',
      privateKey: '/etc/pebble/endpoint.key',
      httpPort: 80,
      tlsPort: 443,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  };
  const path = join(files.pebbleDir(), 'pebble-config.json');
  const text = `${JSON.stringify(config, null, 2)}\n`;
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
}

async function writeTrustFiles(): Promise<void> {
  const endpoint = readFileSync(tlsCert(), 'utf8');
  const root = await fetchManagement('/roots/0', endpoint);
  const intermediate = await fetchManagement('/intermediates/0', endpoint);
  writeFileSync(files.acmeRoot(), endpoint);
  writeFileSync(files.caBundle(), [root, intermediate, endpoint].map((p) => `${p.trim()}\n`).join(''));
  refreshTrustBundle();
}

/** GET from pebble's management API, retrying while pebble starts. */
async function fetchManagement(path: string, ca: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await httpsGet(`https://${SANDBOX.pebbleIp}:15000${path}`, ca);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`pebble management API ${path} did not answer within 15 s: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function httpsGet(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ca, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

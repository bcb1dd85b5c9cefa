import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Socket } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import type { ResolverAddress } from '../dns/verdict.js';
import { resolverLookup } from './lookup.js';

export interface ProbeOptions {
  /** Resolvers to find the host with (e.g. the ones that confirmed propagation); the system's when empty. */
  resolvers?: readonly ResolverAddress[];
  timeoutMs?: number;
}

export interface ProbeResult {
  /** A 2xx or 3xx answer over verified TLS. */
  ok: boolean;
  status?: number;
  /** Why there was no acceptable answer, with what to do about it. */
  error?: string;
  ms: number;
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);

/** Passing `ca` to a TLS connect replaces Node's default store, so rebuild it: bundled roots + NODE_EXTRA_CA_CERTS + the extra one. */
export function trustStore(extra: string | Buffer): string[] {
  const envFile = process.env.NODE_EXTRA_CA_CERTS;
  let fromEnv: string[] = [];
  try {
    if (envFile) fromEnv = [readFileSync(envFile, 'utf8')];
  } catch {
    // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; do the same by ignoring it.
  }
  return [...rootCertificates, ...fromEnv, extra.toString()];
}

/** A failure in words, with the fix where there is one. */
export function describeProbeError(error: unknown, host: string): string {
  const { code, message } = error as { code?: string; message?: string };
  if (code && UNTRUSTED.has(code)) {
    return `the certificate of ${host} is not trusted (${code}). If the node uses a private ACME CA (sandbox, staging), set DYNIA_ACME_CA_ROOT or NODE_EXTRA_CA_CERTS to its root certificate (PEM).`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the certificate served for ${host} is for another name (${message}).`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `the certificate of ${host} is not valid now (${code}).`;
  if (/alert internal error|alert handshake failure|unrecognized name/i.test(message ?? '')) {
    return `the TLS handshake with ${host} failed: Caddy has no certificate for it yet (ACME issuance pending or failing; see the Caddy logs).`;
  }
  if (code === 'ECONNREFUSED') return `connection to ${host} refused (nothing listening on the port).`;
  if (code === 'ENOTFOUND' || code === 'ENODATA') return `${host} does not resolve (${code}).`;
  if (
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'ETIMEDOUT' ||
    (error as Error).name === 'TimeoutError'
  ) {
    return `no answer from ${host} in time (${code ?? 'timeout'}).`;
  }
  return `${host}: ${message ?? String(error)}${code ? ` (${code})` : ''}`;
}

const connectorFor = (options: ProbeOptions) =>
  buildConnector({ lookup: resolverLookup(options.resolvers), timeout: options.timeoutMs ?? 5_000 });

const agentWith = (connect: buildConnector.connector, timeoutMs = 5_000) =>
  new Agent({ connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });

/**
 * An agent for a coming probe of `url` whose connection is opened now, so that the probe only sends its request
 * (a deploy opens its external check's connection while the old version drains: the TLS handshake is then off the
 * deploy's critical path). Until the probe takes it, the connection keeps no process alive; one that failed or
 * closed meanwhile is simply opened again.
 */
export function preconnect(url: string, options: ProbeOptions = {}): Agent {
  const connector = connectorFor(options);
  const { hostname, port } = new URL(url);
  let early: Promise<Socket | undefined> | undefined = new Promise((resolve) =>
    connector({ hostname, host: hostname, protocol: 'https:', port: port || '443', servername: hostname }, (error, socket) => {
      socket?.unref();
      resolve(error ? undefined : (socket ?? undefined));
    }),
  );
  return agentWith((connectOptions, callback) => {
    const first = early;
    early = undefined;
    if (!first) return connector(connectOptions, callback);
    void first.then((socket) => (socket && !socket.destroyed ? callback(null, socket.ref()) : connector(connectOptions, callback)));
  }, options.timeoutMs);
}

/**
 * One HTTPS GET with certificate verification. Never throws for network, TLS or HTTP failures: the caller
 * decides whether to retry, so every outcome comes back as a result.
 */
export async function probeHttps(url: string, options: ProbeOptions & { agent?: Agent } = {}): Promise<ProbeResult> {
  const { timeoutMs = 5_000 } = options;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const host = new URL(url).host;
  const agent = options.agent ?? agentWith(connectorFor(options), timeoutMs);
  try {
    const response = await request(url, {
      dispatcher: agent,
      signal: AbortSignal.timeout(timeoutMs),
      headers: { 'user-agent': 'dynia-probe' },
    });
    await response.body.dump();
    const ok = response.statusCode >= 200 && response.statusCode < 400;
    return { ok, status: response.statusCode, ms: elapsed(), ...(ok ? {} : { error: `${url} answered HTTP ${response.statusCode}.` }) };
  } catch (error) {
    return { ok: false, error: describeProbeError(error, host), ms: elapsed() };
  } finally {
    await agent.destroy();
  }
}

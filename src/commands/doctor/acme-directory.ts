/** GET of an ACME directory the way Caddy will reach it: the configured resolvers, the CA root trusted. */
import { Agent, request } from 'undici';
import type { ResolverAddress } from '../../dns/verdict.js';
import { resolverLookup } from '../../health/lookup.js';
import { describeProbeError, trustStore } from '../../health/probe.js';

export async function fetchAcmeDirectory(
  url: string,
  caRootPem: string | undefined,
  resolvers: readonly ResolverAddress[],
  timeoutMs = 5_000,
): Promise<unknown> {
  const agent = new Agent({
    connect: { lookup: resolverLookup(resolvers), timeout: timeoutMs, ...(caRootPem ? { ca: trustStore(caRootPem) } : {}) },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  let answer: { status: number; text: string };
  try {
    const response = await request(url, {
      dispatcher: agent,
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json', 'user-agent': 'dynia-doctor' },
    });
    answer = { status: response.statusCode, text: await response.body.text() };
  } catch (error) {
    throw new Error(describeProbeError(error, new URL(url).host));
  } finally {
    await agent.destroy();
  }
  if (answer.status !== 200) throw new Error(`${url} answered HTTP ${answer.status}.`);
  try {
    return JSON.parse(answer.text);
  } catch {
    throw new Error(`${url} did not answer JSON.`);
  }
}

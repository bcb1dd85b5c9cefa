import { Resolver } from 'node:dns/promises';
import { ConfigError, TimeoutError } from '../errors.js';
import { systemClock, type Clock } from '../lib/clock.js';
import {
  describePending,
  describeResolver,
  propagationVerdict,
  type DnsAnswer,
  type ResolverAddress,
  type ResolverAnswer,
} from './verdict.js';

/** Asks one resolver for the A records of a name. */
export type DnsQuery = (name: string, resolver: ResolverAddress, timeoutMs: number) => Promise<DnsAnswer>;

/** c-ares error codes as DNS people say them. */
const ERROR_NAMES: Record<string, string> = {
  ENOTFOUND: 'NXDOMAIN',
  ENODATA: 'no A records',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  ETIMEOUT: 'TIMEOUT',
  ECONNREFUSED: 'connection refused',
};

export const defaultQuery: DnsQuery = async (name, resolver, timeoutMs) => {
  const client = new Resolver({ timeout: timeoutMs, tries: 1 });
  client.setServers([describeResolver(resolver)]);
  try {
    return { ips: (await client.resolve4(name)).sort() };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    return { error: ERROR_NAMES[code] ?? (code || (error as Error).message) };
  }
};

export interface PropagationOptions {
  name: string;
  expectedIp: string;
  resolvers: readonly ResolverAddress[];
  timeoutMs?: number;
  intervalMs?: number;
  /** Called after every round with each resolver's answer (for progress output). */
  onPoll?(answers: readonly ResolverAnswer[]): void;
}

/** Polls every resolver until all answer exactly `expectedIp`; returns how long it took and how many rounds. */
export async function waitForPropagation(
  options: PropagationOptions,
  query: DnsQuery = defaultQuery,
  clock: Clock = systemClock,
): Promise<{ ms: number; polls: number }> {
  const { name, expectedIp, resolvers, timeoutMs = 120_000, intervalMs = 2_000 } = options;
  if (resolvers.length === 0)
    throw ConfigError(`no DNS resolvers to check ${name} against.`, 'Configure at least one resolver (host and port).');
  const started = clock.now();
  for (let polls = 1; ; polls++) {
    const remaining = Math.max(1, Math.floor(timeoutMs - (clock.now() - started))); // c-ares takes whole ms
    const answers = await Promise.all(
      resolvers.map(async (resolver) => ({ resolver, answer: await query(name, resolver, Math.min(remaining, 5_000)) })),
    );
    options.onPoll?.(answers);
    const { done, pending } = propagationVerdict(expectedIp, answers);
    if (done) return { ms: clock.now() - started, polls };
    if (clock.now() - started + intervalMs > timeoutMs) {
      throw TimeoutError(
        `DNS for ${name} did not point at ${expectedIp} within ${Math.round(timeoutMs / 1000)} s: ${describePending(pending)}.`,
        'Check the A record in Cloudflare (and that no other record for the name exists), then re-run: the command is safe to repeat.',
      );
    }
    await clock.sleep(intervalMs);
  }
}

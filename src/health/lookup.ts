import { lookup as systemLookup, Resolver, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { describeResolver, type ResolverAddress } from '../dns/verdict.js';

type Callback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

const isLocalhost = (hostname: string): boolean => hostname === 'localhost' || hostname.endsWith('.localhost');

/**
 * A `net.connect` lookup that asks the given resolvers (IPv4), so probes see the same DNS the user configured
 * (the sandbox's dnsmasq, or public resolvers) rather than this machine's. `localhost` and `*.localhost` are
 * 127.0.0.1; with no resolvers the system resolver answers.
 */
export function resolverLookup(resolvers: readonly ResolverAddress[] = []): LookupFunction {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  if (resolvers.length > 0) resolver.setServers(resolvers.map(describeResolver));
  const answer = (callback: Callback, all: boolean | undefined, address: string) =>
    all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4);

  return ((hostname: string, options: { all?: boolean }, callback: Callback) => {
    if (isLocalhost(hostname)) return answer(callback, options.all, '127.0.0.1');
    if (resolvers.length === 0) return systemLookup(hostname, options, callback as never);
    resolver.resolve4(hostname, (error, addresses) => {
      if (error) return callback(error, '', 4);
      answer(callback, options.all, addresses[0]!);
    });
  }) as LookupFunction;
}

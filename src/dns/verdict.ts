export interface ResolverAddress {
  host: string;
  port: number;
}

/** What one resolver said: its A records, or why it gave none (NXDOMAIN, SERVFAIL, TIMEOUT, ...). */
export type DnsAnswer = { ips: string[] } | { error: string };

export interface ResolverAnswer {
  resolver: ResolverAddress;
  answer: DnsAnswer;
}

export const describeResolver = ({ host, port }: ResolverAddress): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

export const describeAnswer = (answer: DnsAnswer): string =>
  'error' in answer ? answer.error : answer.ips.length === 0 ? 'no A records' : answer.ips.join(', ');

/**
 * Propagated means every resolver answers with exactly the expected address: a leftover record for an old
 * address would still send part of the traffic (and the ACME validation) elsewhere.
 */
export function propagationVerdict(expectedIp: string, answers: readonly ResolverAnswer[]): { done: boolean; pending: ResolverAnswer[] } {
  const pending = answers.filter(({ answer }) => 'error' in answer || answer.ips.length !== 1 || answer.ips[0] !== expectedIp);
  return { done: answers.length > 0 && pending.length === 0, pending };
}

/** `1.2.3.4:53 answers 5.6.7.8; 10.0.0.2:53 answers NXDOMAIN` */
export const describePending = (pending: readonly ResolverAnswer[]): string =>
  pending.map(({ resolver, answer }) => `${describeResolver(resolver)} answers ${describeAnswer(answer)}`).join('; ');

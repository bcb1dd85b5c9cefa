/**
 * The emulated Cloud Firewalls as iptables rules (pure). One chain per sandbox slot, hooked for the slot's subnet
 * from OUTPUT (this machine -> a host) and from DOCKER-USER (container -> host, bridged); outside the hosts, as
 * the cloud does it. Per covered host: replies to its own connections, then each allowed rule, then DROP
 * (the cloud drops silently, it does not reject).
 */
import type { HostPolicy } from '../emulators/ports.js';

const portMatch = (protocol: string, ports: string): string[] =>
  protocol === 'icmp' || ports === '0' ? [] : ['-m', protocol, '--dport', ports.replace('-', ':')];

/** Input for `iptables-restore --noflush`: declaring the chain flushes it, so the whole chain is replaced at once. */
export function renderFilterChain(chain: string, policies: readonly HostPolicy[]): string {
  const lines = ['*filter', `:${chain} - [0:0]`];
  for (const policy of policies) {
    const dst = ['-d', `${policy.ip}/32`];
    lines.push([`-A ${chain}`, ...dst, '-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN'].join(' '));
    for (const rule of policy.allow) {
      for (const source of rule.sources) {
        const src = source === '0.0.0.0/0' ? [] : ['-s', source];
        lines.push([`-A ${chain}`, ...src, ...dst, '-p', rule.protocol, ...portMatch(rule.protocol, rule.ports), '-j RETURN'].join(' '));
      }
    }
    lines.push([`-A ${chain}`, ...dst, '-j DROP'].join(' '));
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The two jumps into the chain, as `iptables` argv after `-C`/`-I`/`-D`. */
export function hookRules(chain: string, subnet: string): string[][] {
  return [
    ['OUTPUT', '-d', subnet, '-j', chain],
    ['DOCKER-USER', '-d', subnet, '-j', chain],
  ];
}

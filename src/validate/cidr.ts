import { BlockList, isIP } from 'node:net';
import { InputError } from '../errors.js';
import { shown } from './shown.js';

/** One address or CIDR (`203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32`), as a DigitalOcean firewall accepts it. */
function validateCidr(value: string, field: string): string {
  const [address = '', prefix, extra] = value.split('/');
  const family = isIP(address);
  const max = family === 6 ? 128 : 32;
  const why =
    extra !== undefined
      ? 'has more than one /'
      : family === 0
        ? 'is not an IPv4 or IPv6 address'
        : prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= max)
          ? `has a prefix length that is not 0-${max}`
          : undefined;
  if (why === undefined) return value;
  throw InputError(
    `${field} ${shown(value)} ${why}.`,
    'Give addresses or CIDRs separated by commas, e.g. --ssh-from 203.0.113.7/32,10.0.0.0/8',
  );
}

/** A comma-separated list of addresses/CIDRs; empty entries and duplicates are refused, order is kept. */
export function validateCidrList(value: string, field: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    throw InputError(`${field} ${shown(value)} has an empty entry.`, 'e.g. --ssh-from 203.0.113.7/32,10.0.0.0/8');
  const cidrs = items.map((item) => validateCidr(item, field));
  return [...new Set(cidrs)];
}

/** True when `ip` lies in one of `cidrs` (a bare address is a /32 or /128). */
export function cidrsContain(cidrs: readonly string[], ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, prefix === undefined ? (type === 'ipv6' ? 128 : 32) : Number(prefix), type);
  }
  return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

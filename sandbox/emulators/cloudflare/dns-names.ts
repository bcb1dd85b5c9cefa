/** Record names as Cloudflare stores them: lowercase FQDN inside the zone, no trailing dot. */
import { cfError, type CfApiError } from './envelope.js';

export const invalidName = (): CfApiError => cfError(400, 9000, 'DNS name is invalid.');

const LABEL = /^(?:\*|_?[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?)$/;

export const isHostname = (name: string): boolean =>
  name.length > 0 && name.length <= 253 && name.split('.').every((label, i) => LABEL.test(label) && (label !== '*' || i === 0));

/**
 * `@` is the apex, a bare label is relative to the zone (`web` → `web.example.com`), a dotted name must already
 * end in the zone; anything else is rejected rather than silently re-rooted.
 */
export function normalizeRecordName(raw: unknown, zone: string): string {
  if (typeof raw !== 'string') throw invalidName();
  const name = raw.trim().toLowerCase().replace(/\.$/, '');
  if (name === '') throw invalidName();
  let fqdn: string;
  if (name === '@') fqdn = zone;
  else if (!name.includes('.')) fqdn = `${name}.${zone}`;
  else if (name === zone || name.endsWith(`.${zone}`)) fqdn = name;
  else throw invalidName();
  if (!isHostname(fqdn)) throw invalidName();
  return fqdn;
}

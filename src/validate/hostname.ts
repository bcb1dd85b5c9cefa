import { InputError } from '../errors.js';
import { DNS_LABEL } from './dns-label.js';
import { shown } from './shown.js';

/** Why `name` (already lowercased) is not an RFC 1123 host name with at least two labels, or undefined. */
function problem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > 253) return `is ${name.length} characters long (at most 253)`;
  if (name.endsWith('.')) return "ends with '.'";
  const labels = name.split('.');
  if (labels.length < 2) return 'has a single label (a domain needs at least two, e.g. app.example.com)';
  const bad = labels.find((label) => !DNS_LABEL.test(label));
  if (bad !== undefined) {
    return bad.length > 63
      ? `has a label of ${bad.length} characters (at most 63)`
      : `has the label ${shown(bad)}; labels use a-z, 0-9 and '-', not at their start or end`;
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return 'looks like an IP address, not a domain';
  return undefined;
}

/**
 * A fully qualified host name (RFC 1123): ≤253 characters, labels of 1–63 from a-z, 0-9 and '-',
 * at least two labels. Returns it lowercased (DNS is case-insensitive; Caddy and Cloudflare store lowercase).
 */
export function validateHostname(value: string, field: string): string {
  const name = value.toLowerCase();
  const why = problem(name);
  if (why === undefined) return name;
  throw InputError(
    `${field} ${shown(value)} ${why}.`,
    'Use a plain domain name such as app.example.com (no scheme, port, path or spaces).',
  );
}

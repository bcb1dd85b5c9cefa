import { InputError } from '../errors.js';
import { shown } from './shown.js';

/**
 * RFC 3986 `pchar` (unreserved, sub-delims except the quote, ':' and '@'); percent-escapes are checked apart.
 * The quote stays out: the path reaches shell commands (quoted) and Caddy, and no real health path needs it.
 */
const PCHAR = 'A-Za-z0-9\\-._~!$&()*+,;=:@';
const SEGMENT = new RegExp(`^(?:[${PCHAR}]|%[0-9A-Fa-f]{2})*$`);
/** A query also allows '/' and '?'. */
const QUERY = new RegExp(`^(?:[${PCHAR}/?]|%[0-9A-Fa-f]{2})*$`);
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
/** `..`, also spelled with escapes of '.' (%2E), which servers normalize to the same thing. */
const DOT_DOT = /^(?:\.|%2[eE]){2}$/;

/** Why `value` is not an absolute URL path (with an optional query), or undefined when it is one. */
export function healthPathProblem(value: string): string | undefined {
  if (!value.startsWith('/')) return "does not start with '/'";
  const q = value.indexOf('?');
  const path = q === -1 ? value : value.slice(0, q);
  const query = q === -1 ? '' : value.slice(q + 1);
  const bad = BAD_ESCAPE.exec(value);
  if (bad) return `has a malformed percent-escape at position ${bad.index + 1} ('%' must be followed by two hex digits)`;
  const segments = path.split('/');
  if (segments.some((s) => DOT_DOT.test(s))) return "contains a '..' segment";
  if (!segments.every((s) => SEGMENT.test(s)) || !QUERY.test(query)) {
    return 'contains whitespace, quotes, braces or other characters not allowed in a URL path';
  }
  return undefined;
}

/** An HTTP path probed on the node (through Caddy) and on each new deployment. */
export function validateHealthPath(value: string, field = '--health-path'): string {
  const why = healthPathProblem(value);
  if (why === undefined) return value;
  throw InputError(
    `${field} ${shown(value)} ${why}.`,
    'Give an absolute URL path such as /health (percent-encode anything unusual as %XX, two hex digits).',
  );
}

import { InputError } from '../errors.js';
import { shown } from './shown.js';

/** RFC 3986 path characters (unreserved, sub-delims minus quote, ':', '@', '/', '%') plus a query. */
const PATH = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@/%?]*$/;

/** An HTTP path probed on the node (through Caddy) and on each new deployment. */
export function validateHealthPath(value: string, field = '--health-path'): string {
  const why =
    !value.startsWith('/') ? "does not start with '/'"
    : value.split(/[/?]/).includes('..') ? "contains a '..' segment"
    : !PATH.test(value) ? 'contains whitespace, quotes, braces or other characters not allowed in a URL path'
    : undefined;
  if (why === undefined) return value;
  throw InputError(
    `${field} ${shown(value)} ${why}.`,
    'Give an absolute URL path such as /health (percent-encode anything unusual).',
  );
}

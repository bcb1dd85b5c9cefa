/** Bearer-token check with Cloudflare's authentication failures (the token itself is never echoed). */
import type { IncomingHttpHeaders } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { cfError, type CfApiError } from './envelope.js';

const sameSecret = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** Missing or malformed credentials are a 400, a wrong token a 403; both carry code 10000. */
export function authFailure(headers: IncomingHttpHeaders, token: string): CfApiError | undefined {
  const header = headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) return cfError(400, 10000, 'Authentication error');
  if (!sameSecret(match[1]!, token)) return cfError(403, 10000, 'Authentication error');
  return undefined;
}

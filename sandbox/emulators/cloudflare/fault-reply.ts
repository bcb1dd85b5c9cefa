/** How the Cloudflare API answers an injected status fault: its error codes, and `retry-after` on a 429. */

/** Default seconds a 429 asks the client to wait when the fault names none. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** The Cloudflare error a status fault answers with, and its headers. */
export function faultReply(fault: { status: number; retryAfter?: number }): {
  headers: Record<string, string>;
  error: { code: number; message: string };
} {
  const retryAfter = fault.retryAfter ?? (fault.status === 429 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  return { headers, error: faultError(fault.status) };
}

function faultError(status: number): { code: number; message: string } {
  if (status === 429) return { code: 971, message: 'Please wait and consider throttling your request speed' };
  if (status === 401 || status === 403) return { code: 10000, message: 'Authentication error' };
  if (status === 404) return { code: 7000, message: 'No route for that URI' };
  if (status >= 500) return { code: 10002, message: 'Unexpected internal server error' };
  return { code: 6003, message: 'Invalid request headers' };
}

/** The URL fetched on an origin. Pure. */

/**
 * Origin + the request's path and query, joined as strings. The request's own scheme, host and port are
 * ignored, so neither the Host header nor an absolute-form request target can steer the Worker elsewhere.
 * String joining (not `new URL(path, base)`) matters: a path like `//evil.example/x` would otherwise be read
 * as a scheme-relative URL and replace the host. A parsed pathname always starts with "/", so the result's
 * authority is always the origin's.
 */
export function upstreamUrl(origin: string, requestUrl: URL): string {
  return origin + requestUrl.pathname + requestUrl.search;
}

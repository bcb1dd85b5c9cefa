/** A tiny method + path-template router (`/v2/droplets/:id`) for the API handlers. */

export interface ApiRequest {
  method: string;
  url: URL;
  params: Record<string, string>;
  /** `scheme://host:port` as the client addressed us, for links in responses. */
  base: string;
  /** The parsed JSON body; a 400 ApiError when it is not valid JSON. */
  json(): Promise<unknown>;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  /** Some empty answers (droplet deletes) still carry `content-type: application/json`. */
  jsonContentType?: boolean;
}

export type Handler = (request: ApiRequest) => Promise<ApiResponse>;

export interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export const route = (method: string, path: string, handler: Handler): Route => ({
  method,
  segments: path.split('/').filter(Boolean),
  handler,
});

/** Malformed escapes (`%E0`) make a path that matches nothing, i.e. a 404, rather than a crash. */
function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  pathname: string,
): { handler: Handler; params: Record<string, string> } | undefined {
  const parts = pathname.split('/').filter(Boolean);
  for (const candidate of routes) {
    if (candidate.method !== method || candidate.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matches = candidate.segments.every((segment, i) => {
      if (segment.startsWith(':')) {
        const value = safeDecode(parts[i]!);
        if (value === undefined) return false;
        params[segment.slice(1)] = value;
        return true;
      }
      return segment === parts[i];
    });
    if (matches) return { handler: candidate.handler, params };
  }
  return undefined;
}

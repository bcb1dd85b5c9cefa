/** The common body of every list endpoint: `{<key>: [...], links, meta}`. */
import { pageRequestFrom, pageUrl, paginate } from '../pagination.js';
import type { ApiRequest, ApiResponse } from '../router.js';

export function listResponse<T>(key: string, items: readonly T[], request: ApiRequest): ApiResponse {
  const { url, base } = request;
  const page = paginate(items, pageRequestFrom(url.searchParams), (n) => pageUrl(base, url.pathname, url.searchParams, n));
  return { status: 200, body: { [key]: page.items, links: page.links, meta: page.meta } };
}

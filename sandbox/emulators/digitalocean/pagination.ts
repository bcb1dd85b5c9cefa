/** DigitalOcean list pagination: `page`/`per_page` query, `links.pages` and `meta.total`. */

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 200;

export interface PageRequest {
  page: number;
  perPage: number;
}

export interface PageLinks {
  first?: string;
  prev?: string;
  next?: string;
  last?: string;
}

export interface Page<T> {
  items: T[];
  /** `{}` when everything fits on one page, as the real API answers. */
  links: { pages?: PageLinks };
  meta: { total: number };
}

const positiveInt = (raw: string | null): number | undefined => {
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= 1 ? value : undefined;
};

/** Missing or invalid values fall back to the defaults; `per_page` above the maximum is capped. */
export function pageRequestFrom(query: URLSearchParams): PageRequest {
  return {
    page: positiveInt(query.get('page')) ?? 1,
    perPage: Math.min(positiveInt(query.get('per_page')) ?? DEFAULT_PER_PAGE, MAX_PER_PAGE),
  };
}

/** The URL of another page of the same list: the request's query with `page` replaced (first). */
export function pageUrl(base: string, pathname: string, query: URLSearchParams, page: number): string {
  const next = new URLSearchParams({ page: String(page) });
  for (const [key, value] of query) if (key !== 'page') next.append(key, value);
  return `${base}${pathname}?${next.toString()}`;
}

export function paginate<T>(items: readonly T[], request: PageRequest, urlOfPage: (page: number) => string): Page<T> {
  const { page, perPage } = request;
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const pages: PageLinks = {};
  if (page > 1) {
    pages.first = urlOfPage(1);
    pages.prev = urlOfPage(Math.min(page - 1, lastPage));
  }
  if (page < lastPage) {
    pages.next = urlOfPage(page + 1);
    pages.last = urlOfPage(lastPage);
  }
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    links: Object.keys(pages).length > 0 ? { pages } : {},
    meta: { total: items.length },
  };
}

/** `page`/`per_page` parsing and slicing with Cloudflare's `result_info`. */
import { cfError, type ResultInfo } from './envelope.js';

export interface Paging {
  page: number;
  perPage: number;
}

export interface PagingRules {
  defaultPerPage: number;
  minPerPage: number;
  maxPerPage: number;
}

function positiveInteger(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 1) {
    throw cfError(400, 1004, `${name} must be a positive integer`);
  }
  return value;
}

/** Reads the paging parameters; `per_page` outside the endpoint's range is clamped, as Cloudflare does. */
export function parsePaging(query: URLSearchParams, rules: PagingRules): Paging {
  const page = positiveInteger(query, 'page') ?? 1;
  const requested = positiveInteger(query, 'per_page') ?? rules.defaultPerPage;
  const perPage = Math.min(rules.maxPerPage, Math.max(rules.minPerPage, requested));
  return { page, perPage };
}

export function paginate<T>(items: readonly T[], paging: Paging): { items: T[]; info: ResultInfo } {
  const start = (paging.page - 1) * paging.perPage;
  const slice = items.slice(start, start + paging.perPage);
  return {
    items: slice,
    info: {
      page: paging.page,
      per_page: paging.perPage,
      count: slice.length,
      total_count: items.length,
      total_pages: Math.ceil(items.length / paging.perPage),
    },
  };
}

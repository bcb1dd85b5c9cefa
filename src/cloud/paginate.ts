/** Collects every page of a page-numbered list (DigitalOcean and Cloudflare both number pages from 1). */
import { DyniaError } from '../errors.js';

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/** A guard against an API that never stops saying "more". */
const MAX_PAGES = 1000;

export async function collectPages<T>(what: string, fetchPage: (page: number) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { items, hasMore } = await fetchPage(page);
    all.push(...items);
    // An empty page ends the list even if the API claims more, so a wrong count cannot loop forever.
    if (!hasMore || items.length === 0) return all;
  }
  throw new DyniaError('cloud', `${what}: the API returned more than ${MAX_PAGES} pages`, 'This looks like an API fault; retry later.');
}

import { createHash } from 'node:crypto';

const PREFIX = 'dynia-upstream-';
const MAX_LABEL = 63;

/**
 * The stable network alias Caddy resolves for a domain (`dynamic a`); a deploy moves it from the old
 * container to the new one, so Caddy never reloads. One DNS label: long domains are cut and get a hash suffix.
 */
export function upstreamAlias(domain: string): string {
  const alias = PREFIX + domain.toLowerCase().replaceAll('.', '-');
  if (alias.length <= MAX_LABEL) return alias;
  const hash = createHash('sha256').update(domain.toLowerCase()).digest('hex').slice(0, 8);
  return `${alias.slice(0, MAX_LABEL - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

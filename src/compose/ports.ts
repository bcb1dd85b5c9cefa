/**
 * The container side of a `ports` or `expose` entry, as written: 8080, "8080", "80:8080", "127.0.0.1:80:8080/tcp",
 * "[::1]:80:8080", "8000-8001:8000-8001" (first of the range), or the long form `{ target: 8080 }`.
 * Returns the raw text so the caller validates it with a message naming the entry.
 */
export function containerPortOf(entry: unknown): string {
  if (typeof entry === 'object' && entry !== null && 'target' in entry) return String((entry as { target: unknown }).target);
  const spec = String(entry).split('/')[0]!;
  const container = spec.slice(spec.lastIndexOf(':') + 1);
  return container.split('-')[0]!;
}

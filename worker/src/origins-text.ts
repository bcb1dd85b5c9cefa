/**
 * How ORIGINS text reads, in the Worker and in the CLI that shows a deployed Worker's list: a JSON array when
 * it starts with `[`, else a comma list. Dependency-free, so the CLI imports it without pulling in the Worker.
 */

/** The entries; undefined when the text starts with `[` but does not parse (the Worker refuses it). */
export function originsTextEntries(text: string): unknown[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return commaList(trimmed);
  try {
    return JSON.parse(trimmed) as unknown[]; // text starts with "[", so it parses to an array or not at all
  } catch {
    return undefined;
  }
}

export const commaList = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

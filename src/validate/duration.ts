import { InputError } from '../errors.js';
import { shown } from './shown.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90`, `90s`, `2m`, `1500ms` → milliseconds (a bare number is seconds). */
export function parseDuration(value: string, field: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const ms = match ? Number(match[1]) * UNITS[match[2] ?? 's']! : NaN;
  if (ms > 0) return ms;
  throw InputError(`${field} ${shown(value)} is not a duration.`, 'Use a number with a unit, e.g. 60s, 2m or 1500ms.');
}

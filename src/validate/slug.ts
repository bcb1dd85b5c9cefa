import { InputError } from '../errors.js';
import { shown } from './shown.js';

/** A DigitalOcean slug (region, size, image): lowercase letters, digits, '-' and '.' (e.g. ubuntu-24-04-x64). */
export function validateSlug(value: string, field: string, example: string): string {
  if (/^[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?$/.test(value)) return value;
  throw InputError(
    `${field} ${shown(value)} is not a DigitalOcean slug (lowercase letters, digits, '-', '.').`,
    `e.g. ${field} ${example}`,
  );
}

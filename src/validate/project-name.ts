import { InputError } from '../errors.js';
import { shown } from './shown.js';

/** Compose's own rule for project names; Dynia also uses them as directory names on the node. */
const PROJECT = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** An app or compose project name: lowercase letters, digits, '-' and '_', starting with a letter or digit. */
export function validateProjectName(value: string, field: string): string {
  if (PROJECT.test(value)) return value;
  throw InputError(
    `${field} ${shown(value)} is not a valid name: use 1–63 of a-z, 0-9, '-' and '_', starting with a letter or digit.`,
    'Pick a name such as my-app.',
  );
}

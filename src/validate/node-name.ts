import { InputError } from '../errors.js';
import { DNS_LABEL } from './dns-label.js';
import { shown } from './shown.js';

/**
 * A node name is one DNS label (it becomes `<name>.<domain>`) and a DigitalOcean droplet name,
 * so the strictest of both: 1–63 of a-z, 0-9 and '-', not starting or ending with '-'.
 */
export function validateNodeName(value: string, field = '--name'): string {
  if (DNS_LABEL.test(value)) return value;
  const why =
    value.length === 0
      ? 'is empty'
      : value.length > 63
        ? `is ${value.length} characters long (at most 63)`
        : /[A-Z]/.test(value)
          ? 'contains uppercase letters'
          : value.startsWith('-') || value.endsWith('-')
            ? "starts or ends with '-'"
            : "contains characters other than a-z, 0-9 and '-'";
  throw InputError(
    `${field} ${shown(value)} ${why}; a node name must be a single DNS label.`,
    `Use 1–63 characters from a-z, 0-9 and '-', not starting or ending with '-' (e.g. web-1).`,
  );
}

/** Checks of what the user typed for slb:sync, before any API call. */
import { InputError } from '../errors.js';
import { shown } from '../validate/shown.js';

const SCRIPT_NAME = /^[a-z0-9_][a-z0-9_-]{0,62}$/;

/** A Worker script name as Cloudflare accepts it; it is also the first label of its workers.dev host. */
export function validateWorkerName(value: string): string {
  if (SCRIPT_NAME.test(value)) return value;
  throw InputError(
    `--name ${shown(value)} is not a Worker name.`,
    "Use 1–63 characters from a-z, 0-9, '-' and '_', not starting with '-' (e.g. dynia-slb).",
  );
}

/** `host/path` with `*` wildcards (leading `*.` on the host, trailing `*` on the path), e.g. `app.example.com/*`. */
const ROUTE = /^(\*\.|\*)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]+\/[^\s]*$/;

export function validateRoutePattern(value: string): string {
  const pattern = value.trim().toLowerCase();
  if (ROUTE.test(pattern)) return pattern;
  throw InputError(
    `--route ${shown(value)} is not a Worker route pattern.`,
    'Write host and path, without scheme, e.g. --route app.example.com/* (the host must be in your zone).',
  );
}

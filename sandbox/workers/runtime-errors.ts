/** workerd reports script errors on stderr; this keeps what a Cloudflare upload error would say. */

/** workerd prefixes each line with the service name (`service core:user:slb: Uncaught SyntaxError: ...`). */
const SERVICE_PREFIX = /^service [^:]+(?::[^:]+)*?: /;

/** The "Uncaught ..." line (plus its location) from workerd's startup output, if any. */
export function startupFailureMessage(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((line) => line.replace(SERVICE_PREFIX, '').trimEnd());
  const at = lines.findIndex((line) => line.startsWith('Uncaught'));
  if (at === -1) return undefined;
  const location = lines[at + 1]?.trim();
  return location?.startsWith('at ') ? `${lines[at]}\n  ${location}` : lines[at];
}

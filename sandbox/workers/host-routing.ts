/** Which deployed script a request is for: the first label of its Host (`slb.sandbox.workers.localhost:4782` → `slb`). */
export function scriptNameFromHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const hostname = host.startsWith('[') ? '' : host.split(':')[0]!;
  const label = hostname.split('.')[0]!.toLowerCase();
  return label === '' ? undefined : label;
}

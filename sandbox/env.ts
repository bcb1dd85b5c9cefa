/** The environment that points Dynia at the sandbox instead of the real clouds (`dynia sandbox env`). */
import { quoteWord } from '../src/remote/quote.js';
import { ACME_DIRECTORY_URL } from './acme/pebble.js';
import { SANDBOX, sandboxDir } from './layout.js';
import { files } from './paths.js';
import type { SandboxSecrets } from './secrets.js';
import type { SandboxTrust } from './trust-bundle.js';

/** `trust`: NODE_EXTRA_CA_CERTS (and its base) as sandboxTrust() found them for the calling shell. */
export function sandboxEnvVars(
  secrets: SandboxSecrets,
  trust: SandboxTrust = { NODE_EXTRA_CA_CERTS: files.caBundle() },
): Record<string, string> {
  return {
    DIGITALOCEAN_TOKEN: secrets.digitaloceanToken,
    DIGITALOCEAN_API_URL: `http://127.0.0.1:${SANDBOX.ports.digitalocean}`,
    CLOUDFLARE_API_TOKEN: secrets.cloudflareToken,
    CLOUDFLARE_API_URL: `http://127.0.0.1:${SANDBOX.ports.cloudflare}/client/v4`,
    CLOUDFLARE_ACCOUNT_ID: SANDBOX.accountId,
    CLOUDFLARE_ZONE_ID: SANDBOX.zoneId,
    DYNIA_DOMAIN: SANDBOX.zone,
    DYNIA_DNS_RESOLVERS: SANDBOX.resolverIps.join(','),
    DYNIA_ACME_CA: ACME_DIRECTORY_URL,
    DYNIA_ACME_CA_ROOT: files.acmeRoot(),
    DYNIA_SSH_KEY: files.clientKey(),
    ...trust,
    DYNIA_SANDBOX_REGISTRY: `127.0.0.1:${SANDBOX.ports.registry}`,
    DYNIA_WORKERS_DEV_URL: `http://{script}.{subdomain}.workers.localhost:${SANDBOX.ports.workers}`,
    DYNIA_SANDBOX_DIR: sandboxDir(),
    ...(SANDBOX.slot === 0 ? {} : { DYNIA_SANDBOX_SLOT: String(SANDBOX.slot) }),
  };
}

/** `export NAME=value` lines, values shell-quoted, for `eval "$(dynia sandbox env)"`. */
export const renderExports = (vars: Record<string, string>): string =>
  Object.entries(vars)
    .map(([k, v]) => `export ${k}=${quoteWord(v)}\n`)
    .join('');

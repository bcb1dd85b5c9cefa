import { InputError } from '../../errors.js';
import { validateHostname } from '../../validate/hostname.js';
import { validatePort } from '../../validate/port.js';
import { shown } from '../../validate/shown.js';

export interface AcmeSettings {
  /** ACME directory URL; Let's Encrypt production when unset. */
  ca?: string;
  /** PEM file (path inside the Caddy container) that the ACME endpoint's TLS certificate chains to. */
  caRootPath?: string;
  email?: string;
}

export interface CaddySite {
  domain: string;
  /** A network alias on `edge` (a container's stable name) and the port it listens on. */
  upstream: { alias: string; port: number };
}

export interface CaddyfileInput {
  acme: AcmeSettings;
  sites: readonly CaddySite[];
}

const ALIAS = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?)*$/;
const URL_CHARS = /^https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&()*+,;=%]+$/;
const PATH_CHARS = /^\/[A-Za-z0-9\-._/]+$/;
const EMAIL = /^[^\s@{}"'`\\]+@[A-Za-z0-9.-]+$/;

/** Anything that reaches the Caddyfile is checked here: one bad character could inject a directive. */
function checked<T extends string | undefined>(value: T, pattern: RegExp, field: string, expected: string): T {
  if (value === undefined || pattern.test(value)) return value;
  throw InputError(`${field} ${shown(value)} is not ${expected}.`, 'Fix the value in your Dynia configuration.');
}

function globalOptions(acme: AcmeSettings): string[] {
  const ca = checked(acme.ca, URL_CHARS, 'ACME directory URL', 'an http(s) URL');
  const root = checked(acme.caRootPath, PATH_CHARS, 'ACME CA root path', 'an absolute path');
  const email = checked(acme.email, EMAIL, 'ACME email', 'an email address');
  return [
    '{',
    ...(email ? [`\temail ${email}`] : []),
    // HTTP-01 only: TLS-ALPN-01 needs port 443 answered by this Caddy itself, which a proxy in front would break.
    '\tcert_issuer acme {',
    ...(ca ? [`\t\tdir ${ca}`] : []),
    ...(root ? [`\t\ttrusted_roots ${root}`] : []),
    '\t\tdisable_tlsalpn_challenge',
    '\t}',
    '}',
  ];
}

/**
 * The zero-downtime scheme: Caddy re-resolves the alias every 200 ms (lazily, on a request) and retries dials
 * while it moves. Not more often: Docker's DNS can take 100+ ms to answer while it changes a network, and every
 * request for the site waits for that lookup. The old version stops only once Caddy's pool shows the new one
 * and, Caddy's new connections and kept-alive GETs to it reset, nothing in flight at it; the resets go on until
 * Caddy has forgotten its address (see drain-commands.ts). A connect on the local bridge takes well under a millisecond, so a 50 ms
 * dial timeout and a 5 ms retry interval keep any other detour short (a retry picks again among the addresses).
 */
function siteBlock({ domain, upstream }: CaddySite): string[] {
  return [
    `${domain} {`,
    '\treverse_proxy {',
    `\t\tdynamic a ${upstream.alias} ${upstream.port} {`,
    '\t\t\trefresh 200ms',
    '\t\t}',
    '\t\tlb_try_duration 3s',
    '\t\tlb_try_interval 5ms',
    '\t\tfail_duration 2s',
    '\t\ttransport http {',
    '\t\t\tdial_timeout 50ms',
    '\t\t}',
    '\t}',
    '}',
  ];
}

function validSite(site: CaddySite): CaddySite {
  const domain = validateHostname(site.domain, 'site domain');
  const alias = checked(site.upstream.alias, ALIAS, `upstream alias for ${domain}`, 'a DNS name');
  return { domain, upstream: { alias, port: validatePort(site.upstream.port, `upstream port for ${domain}`) } };
}

/** Caddyfile text for a node: same input, same bytes (sites sorted by domain). */
export function renderCaddyfile({ acme, sites }: CaddyfileInput): string {
  const valid = sites.map(validSite).sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
  const duplicate = valid.find((site, i) => i > 0 && valid[i - 1]!.domain === site.domain);
  if (duplicate) {
    throw InputError(`the domain ${duplicate.domain} is bound twice on this node.`, 'Each domain can route to one app per node.');
  }
  const blocks = [globalOptions(acme), ...valid.map(siteBlock)];
  return `# Managed by Dynia: rewritten on every change.\n${blocks.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

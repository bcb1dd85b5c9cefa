/**
 * Pure parsers for configuration values. Each takes the raw text and returns the typed value or throws
 * `ValueError` with a reason; the caller adds the variable name (and the value, unless it is a secret).
 */
import { isIP } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { DNS_LABEL } from '../validate/dns-label.js';

export class ValueError extends Error {}

export interface Resolver {
  ip: string;
  port: number;
}

export interface PathContext {
  home: string;
  cwd: string;
}

const DNS_PORT = 53;

/** An http(s) URL; credentials never belong in a URL that may be printed. */
export function parseHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ValueError('not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ValueError('must start with https:// or http://');
  if (url.username || url.password) throw new ValueError('must not contain credentials');
  return url;
}

/** An API base URL: no query or fragment, no trailing slash (paths are appended to it). */
export function parseApiBaseUrl(raw: string): string {
  const url = parseHttpUrl(raw);
  if (url.search || url.hash) throw new ValueError('must not have a query or fragment');
  return url.href.replace(/\/+$/, '');
}

/** A comma list of `ip[:port]` (IPv6 as `[addr]:port` or a bare address); port defaults to 53. */
export function parseResolvers(raw: string): Resolver[] {
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new ValueError('needs at least one resolver address');
  return items.map(parseResolver);
}

function parseResolver(item: string): Resolver {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(item);
  if (bracketed) return checkedResolver(item, bracketed[1]!, bracketed[2], 6);
  if (isIP(item) === 6) return { ip: item, port: DNS_PORT };
  const [ip, port, ...rest] = item.split(':');
  if (rest.length > 0) throw new ValueError(`"${item}": write IPv6 addresses with a port as [addr]:port`);
  return checkedResolver(item, ip!, port, 4);
}

function checkedResolver(item: string, ip: string, port: string | undefined, family: 4 | 6): Resolver {
  if (isIP(ip) !== family) throw new ValueError(`"${item}" is not an IPv${family} address`);
  if (port === undefined) return { ip, port: DNS_PORT };
  const number = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  if (!(number >= 1 && number <= 65535)) throw new ValueError(`"${item}" has an invalid port (1-65535)`);
  return { ip, port: number };
}

/** A DNS name with at least two labels, returned lower-case without a trailing dot. */
export function parseDomain(raw: string): string {
  const name = raw.trim().toLowerCase().replace(/\.$/, '');
  if (name.length > 253) throw new ValueError('is longer than 253 characters');
  const labels = name.split('.');
  if (labels.length < 2) throw new ValueError('is not a domain name (expected something like example.com)');
  for (const label of labels) {
    if (!DNS_LABEL.test(label)) {
      throw new ValueError(`label "${label}" is not a valid hostname label (letters, digits, inner hyphens, 1-63 chars)`);
    }
  }
  return name;
}

/** An API token. Reasons never quote the value: it is a secret. */
export function parseToken(raw: string): string {
  const token = raw.trim();
  if (token === '') throw new ValueError('is empty');
  if (/[\s\x00-\x1f\x7f]/.test(token)) throw new ValueError('contains whitespace or control characters');
  return token;
}

/** A Cloudflare account or zone identifier (goes into URL paths, so only safe characters). */
export function parseCloudflareId(raw: string): string {
  const id = raw.trim();
  if (!/^[A-Za-z0-9]{1,32}$/.test(id)) throw new ValueError('must be up to 32 letters or digits (Cloudflare IDs are 32 hex characters)');
  return id;
}

export function parseEmail(raw: string): string {
  const email = raw.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new ValueError('is not an email address');
  return email;
}

/** A filesystem path: `~` and `~/...` expand to the home directory, relative paths resolve against cwd. */
export function parsePath(raw: string, context: PathContext): string {
  const path = raw.trim();
  if (path === '') throw new ValueError('is empty');
  if (path === '~') return context.home;
  if (path.startsWith('~/')) return join(context.home, path.slice(2));
  return isAbsolute(path) ? path : resolve(context.cwd, path);
}

const WORKERS_DEV_PLACEHOLDERS = new Set(['script', 'subdomain']);

/** A workers.dev URL template: needs `{script}`, may use `{subdomain}`, must render to an http(s) URL. */
export function parseWorkersDevTemplate(raw: string): string {
  const template = raw.trim();
  for (const [, name] of template.matchAll(/\{([^}]*)\}/g)) {
    if (!WORKERS_DEV_PLACEHOLDERS.has(name!)) throw new ValueError(`unknown placeholder {${name}} (use {script} and {subdomain})`);
  }
  if (!template.includes('{script}')) throw new ValueError('must contain {script}');
  parseHttpUrl(renderWorkersDevUrl(template, { script: 'script', subdomain: 'subdomain' }));
  return template;
}

export function renderWorkersDevUrl(template: string, names: { script: string; subdomain: string }): string {
  return template.replaceAll('{script}', names.script).replaceAll('{subdomain}', names.subdomain);
}

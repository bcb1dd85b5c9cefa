/** Validates a DNS record body (POST/PUT in full, PATCH over the current record) with Cloudflare's error codes. */
import { isIPv4, isIPv6 } from 'node:net';
import { cfError } from './envelope.js';
import { isHostname, normalizeRecordName } from './dns-names.js';

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export interface RecordFields {
  type: RecordType;
  name: string;
  content: string;
  ttl: number;
  proxied: boolean;
  comment: string | null;
  tags: string[];
}

export const AUTOMATIC_TTL = 1;
const MIN_TTL = 60;
const MAX_TTL = 86400;
const MAX_TXT_LENGTH = 2048;

export const isProxiable = (type: RecordType): boolean => type !== 'TXT';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseType(raw: unknown): RecordType {
  if (typeof raw === 'string' && (RECORD_TYPES as readonly string[]).includes(raw.toUpperCase())) {
    return raw.toUpperCase() as RecordType;
  }
  const shown = typeof raw === 'string' ? ` "${raw}"` : '';
  throw cfError(400, 1004, `Unsupported DNS record type${shown} (this emulator supports ${RECORD_TYPES.join(', ')}).`);
}

function parseContent(type: RecordType, raw: unknown): string {
  const value = typeof raw === 'string' ? raw.trim() : undefined;
  switch (type) {
    case 'A':
      if (value === undefined || !isIPv4(value)) throw cfError(400, 9005, 'Content for A record must be a valid IPv4 address.');
      return value;
    case 'AAAA':
      if (value === undefined || !isIPv6(value)) throw cfError(400, 9006, 'Content for AAAA record must be a valid IPv6 address.');
      return value;
    case 'CNAME': {
      const host = value?.toLowerCase().replace(/\.$/, '');
      if (host === undefined || !isHostname(host)) throw cfError(400, 9007, 'Content for CNAME record is invalid.');
      return host;
    }
    case 'TXT':
      if (typeof raw !== 'string' || raw === '' || raw.length > MAX_TXT_LENGTH) {
        throw cfError(400, 1004, 'Content for TXT record is invalid.');
      }
      return raw;
  }
}

function parseTtl(raw: unknown): number {
  if (typeof raw === 'number' && Number.isInteger(raw) && (raw === AUTOMATIC_TTL || (raw >= MIN_TTL && raw <= MAX_TTL))) {
    return raw;
  }
  throw cfError(400, 9021, `Invalid TTL. Must be between ${MIN_TTL} and ${MAX_TTL} seconds, or 1 for Automatic.`);
}

function parseProxied(raw: unknown, type: RecordType): boolean {
  if (typeof raw !== 'boolean') throw cfError(400, 1004, 'proxied must be a boolean.');
  if (raw && !isProxiable(type)) throw cfError(400, 9004, 'This record type cannot be proxied.');
  return raw;
}

function parseComment(raw: unknown): string | null {
  if (raw === null || typeof raw === 'string') return raw === '' ? null : raw;
  throw cfError(400, 1004, 'comment must be a string.');
}

function parseTags(raw: unknown): string[] {
  if (Array.isArray(raw) && raw.every((t) => typeof t === 'string' && /^[A-Za-z0-9_-]+(:.*)?$/s.test(t))) return [...raw];
  throw cfError(400, 1004, 'tags must be an array of "name:value" strings.');
}

/**
 * Full validation for POST and PUT (`current` absent: defaults apply), or for PATCH (`current`: fields the body
 * omits keep their value). Proxied records always get the automatic TTL, as on Cloudflare.
 */
export function parseRecordFields(body: unknown, zone: string, current?: RecordFields): RecordFields {
  if (!isObject(body)) throw cfError(400, 6007, 'Malformed JSON in request body');
  const pick = <T>(key: string, fallback: T): unknown => (body[key] === undefined ? fallback : body[key]);
  const type = parseType(pick('type', current?.type));
  const name = normalizeRecordName(pick('name', current?.name), zone);
  const content = parseContent(type, pick('content', current?.content));
  const proxied = parseProxied(pick('proxied', isProxiable(type) ? (current?.proxied ?? false) : false), type);
  const ttl = parseTtl(pick('ttl', current?.ttl ?? AUTOMATIC_TTL));
  const comment = parseComment(pick('comment', current?.comment ?? null));
  const tags = parseTags(pick('tags', current?.tags ?? []));
  return { type, name, content, ttl: proxied ? AUTOMATIC_TTL : ttl, proxied, comment, tags };
}

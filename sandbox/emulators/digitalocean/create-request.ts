/** Validation of `POST /v2/droplets` bodies, with the API's 422 messages. */
import { badRequest, unprocessable } from './api-error.js';
import { DEFAULT_REGION, findImage, findRegion, findSize, type Image, type Region, type Size } from './catalog.js';
import type { SshKey } from './ssh-key-store.js';

export interface CreateDropletRequest {
  names: string[];
  /** `names` was sent (answer with `droplets`), rather than `name` (answer with `droplet`). */
  multi: boolean;
  size: Size;
  region: Region;
  image: Image;
  keys: SshKey[];
  tags: string[];
  userData?: string;
  features: string[];
}

/** The contract's pattern for droplet names: hostname characters, ending in a letter or digit. */
const NAME_PATTERN = /^[a-zA-Z0-9]?[a-z0-9A-Z.-]*[a-z0-9A-Z]$/;
const MAX_NAME_LENGTH = 255;
const MAX_NAMES = 10;
const TAG_PATTERN = /^[a-zA-Z0-9_:-]{1,255}$/;
const MAX_USER_DATA_BYTES = 64 * 1024;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isValidName = (name: unknown): name is string =>
  typeof name === 'string' && name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name);

function parseNames(body: Record<string, unknown>): { names: string[]; multi: boolean } {
  const invalid = unprocessable('Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)');
  if (body.names !== undefined) {
    if (!Array.isArray(body.names) || body.names.length === 0) throw unprocessable('names must be a non-empty array of droplet names');
    if (body.names.length > MAX_NAMES) throw unprocessable(`You may only create up to ${MAX_NAMES} Droplets at once.`);
    if (!body.names.every(isValidName)) throw invalid;
    return { names: body.names, multi: true };
  }
  if (body.name === undefined || body.name === null || body.name === '') throw unprocessable('Name is required.');
  if (!isValidName(body.name)) throw invalid;
  return { names: [body.name], multi: false };
}

function parseKeys(raw: unknown, findKey: (identifier: string | number) => SshKey | undefined): SshKey[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw unprocessable('ssh_keys must be an array of key ids or fingerprints');
  const found: SshKey[] = [];
  const unknown: string[] = [];
  for (const identifier of raw) {
    const key = typeof identifier === 'string' || typeof identifier === 'number' ? findKey(identifier) : undefined;
    if (key) {
      if (!found.includes(key)) found.push(key);
    } else unknown.push(String(identifier));
  }
  if (unknown.length > 0) throw unprocessable(`${unknown.join(', ')} are invalid key identifiers for Droplet creation.`);
  return found;
}

function parseTags(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || !raw.every((t) => typeof t === 'string' && TAG_PATTERN.test(t))) {
    throw unprocessable('Tag names may only contain letters, numbers, colons, dashes and underscores (at most 255).');
  }
  return [...new Set(raw as string[])];
}

function parseUserData(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw unprocessable('user_data must be a string');
  if (Buffer.byteLength(raw) > MAX_USER_DATA_BYTES) throw unprocessable('user_data must be at most 64 KiB');
  return raw;
}

/** What the droplet reports as enabled. `ipv6` is accepted but not listed: the emulated hosts have no IPv6. */
function features(body: Record<string, unknown>): string[] {
  return [
    ...(body.backups === true ? ['backups'] : []),
    ...(body.monitoring === true ? ['monitoring'] : []),
    ...(body.with_droplet_agent === false ? [] : ['droplet_agent']),
    'private_networking',
  ];
}

export function parseCreateDropletRequest(
  body: unknown,
  findKey: (identifier: string | number) => SshKey | undefined,
): CreateDropletRequest {
  if (!isObject(body)) throw badRequest('The request body must be a JSON object.');
  const { names, multi } = parseNames(body);
  const size = typeof body.size === 'string' ? findSize(body.size) : undefined;
  if (!size) throw unprocessable('You specified an invalid size for Droplet creation.');
  const image = typeof body.image === 'string' || typeof body.image === 'number' ? findImage(body.image) : undefined;
  if (!image) throw unprocessable('You specified an invalid image for Droplet creation.');
  const region =
    body.region === undefined || body.region === null
      ? DEFAULT_REGION
      : typeof body.region === 'string'
        ? findRegion(body.region)
        : undefined;
  if (!region) throw unprocessable('You specified an invalid region for Droplet creation.');
  const userData = parseUserData(body.user_data);
  return {
    names,
    multi,
    size,
    region,
    image,
    keys: parseKeys(body.ssh_keys, findKey),
    tags: parseTags(body.tags),
    ...(userData === undefined ? {} : { userData }),
    features: features(body),
  };
}

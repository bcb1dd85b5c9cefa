/**
 * Dynia's configuration: flags > environment > `./.env` > `<stateDir>/config.json` > defaults.
 * Values are parsed only when asked for, so a command fails only on what it actually needs.
 *
 * | Environment variable   | Config file key (flags use the same) | Default                                          |
 * |------------------------|--------------------------------------|--------------------------------------------------|
 * | DIGITALOCEAN_TOKEN     | digitaloceanToken   (secret)         |                                                  |
 * | DIGITALOCEAN_API_URL   | digitaloceanApiUrl                   | https://api.digitalocean.com                     |
 * | CLOUDFLARE_API_TOKEN   | cloudflareApiToken  (secret)         |                                                  |
 * | CLOUDFLARE_API_URL     | cloudflareApiUrl                     | https://api.cloudflare.com/client/v4             |
 * | CLOUDFLARE_ACCOUNT_ID  | cloudflareAccountId                  |                                                  |
 * | CLOUDFLARE_ZONE_ID     | cloudflareZoneId                     |                                                  |
 * | DYNIA_DOMAIN           | dyniaDomain                          |                                                  |
 * | DYNIA_DNS_RESOLVERS    | dyniaDnsResolvers                    | 1.1.1.1,8.8.8.8                                  |
 * | DYNIA_ACME_CA          | dyniaAcmeCa                          | https://acme-v02.api.letsencrypt.org/directory   |
 * | DYNIA_ACME_CA_ROOT     | dyniaAcmeCaRoot                      |                                                  |
 * | DYNIA_ACME_EMAIL       | dyniaAcmeEmail                       |                                                  |
 * | DYNIA_SSH_KEY          | dyniaSshKey                          | ~/.ssh/id_ed25519                                |
 * | DYNIA_STATE_DIR        | dyniaStateDir (flag/env only)        | .dynia                                           |
 * | DYNIA_WORKERS_DEV_URL  | dyniaWorkersDevUrl                   | https://{script}.{subdomain}.workers.dev         |
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { readDotenv } from './dotenv.js';
import {
  ValueError,
  parseApiBaseUrl,
  parseCloudflareId,
  parseDomain,
  parseEmail,
  parseHttpUrl,
  parsePath,
  parseResolvers,
  parseToken,
  parseWorkersDevTemplate,
  type PathContext,
} from './parse.js';

interface Setting<T> {
  env: string;
  default?: string;
  /** Never printed, not even when malformed. */
  secret?: boolean;
  /** The state dir locates the config file, so the file cannot set it. */
  notInFile?: boolean;
  parse: (raw: string, paths: PathContext) => T;
  /** Told to the user when the value is needed but unset (settings without a default). */
  howToSet?: string;
}

const setting = <T>(spec: Setting<T>): Setting<T> => spec;

export const SETTINGS = {
  digitaloceanToken: setting({
    env: 'DIGITALOCEAN_TOKEN',
    secret: true,
    parse: parseToken,
    howToSet: 'Set it to a DigitalOcean API token with write scope, e.g. export DIGITALOCEAN_TOKEN=...',
  }),
  digitaloceanApiUrl: setting({ env: 'DIGITALOCEAN_API_URL', default: 'https://api.digitalocean.com', parse: parseApiBaseUrl }),
  cloudflareApiToken: setting({
    env: 'CLOUDFLARE_API_TOKEN',
    secret: true,
    parse: parseToken,
    howToSet:
      'Set it to a Cloudflare API token with Zone:DNS:Edit and Account:Workers Scripts:Edit permissions, e.g. export CLOUDFLARE_API_TOKEN=...',
  }),
  cloudflareApiUrl: setting({ env: 'CLOUDFLARE_API_URL', default: 'https://api.cloudflare.com/client/v4', parse: parseApiBaseUrl }),
  cloudflareAccountId: setting({
    env: 'CLOUDFLARE_ACCOUNT_ID',
    parse: parseCloudflareId,
    howToSet: 'Set it to your Cloudflare account ID (dashboard: Workers & Pages, Account details), e.g. export CLOUDFLARE_ACCOUNT_ID=...',
  }),
  cloudflareZoneId: setting({
    env: 'CLOUDFLARE_ZONE_ID',
    parse: parseCloudflareId,
    howToSet: "Set it to your domain's Cloudflare zone ID (dashboard: the domain's Overview page), e.g. export CLOUDFLARE_ZONE_ID=...",
  }),
  dyniaDomain: setting({
    env: 'DYNIA_DOMAIN',
    parse: parseDomain,
    howToSet: 'Set it to the domain served by your Cloudflare zone, e.g. export DYNIA_DOMAIN=example.com',
  }),
  dyniaDnsResolvers: setting({ env: 'DYNIA_DNS_RESOLVERS', default: '1.1.1.1,8.8.8.8', parse: parseResolvers }),
  dyniaAcmeCa: setting({
    env: 'DYNIA_ACME_CA',
    default: 'https://acme-v02.api.letsencrypt.org/directory',
    parse: (raw) => parseHttpUrl(raw).href,
  }),
  dyniaAcmeCaRoot: setting({
    env: 'DYNIA_ACME_CA_ROOT',
    parse: parsePath,
    howToSet:
      "Set it to the PEM file of the root certificate behind your ACME server's HTTPS, e.g. export DYNIA_ACME_CA_ROOT=/path/to/root.pem",
  }),
  dyniaAcmeEmail: setting({
    env: 'DYNIA_ACME_EMAIL',
    parse: parseEmail,
    howToSet: 'Set it to the address that receives certificate notices, e.g. export DYNIA_ACME_EMAIL=ops@example.com',
  }),
  dyniaSshKey: setting({ env: 'DYNIA_SSH_KEY', default: '~/.ssh/id_ed25519', parse: parsePath }),
  dyniaStateDir: setting({ env: 'DYNIA_STATE_DIR', default: '.dynia', notInFile: true, parse: parsePath }),
  dyniaWorkersDevUrl: setting({
    env: 'DYNIA_WORKERS_DEV_URL',
    default: 'https://{script}.{subdomain}.workers.dev',
    parse: parseWorkersDevTemplate,
  }),
};

export type ConfigKey = keyof typeof SETTINGS;
/** Raw values as given by flags, environment or the config file. */
export type ConfigValues = Record<ConfigKey, string>;
/** Parsed values: URLs normalised, paths absolute, resolvers split. */
export type ConfigTypes = { [K in ConfigKey]: (typeof SETTINGS)[K] extends Setting<infer T> ? T : never };
export type ConfigSource = 'flag' | 'env' | 'dotenv' | 'file' | 'default';

export interface Config {
  /** Absolute state directory (holds state.json, state.lock and config.json). */
  readonly stateDir: string;
  readonly configFile: string;
  /** The parsed value; ConfigError when it is unset (and has no default) or malformed. */
  require<K extends ConfigKey>(key: K): ConfigTypes[K];
  /** The parsed value, or undefined when unset; ConfigError when malformed. */
  get<K extends ConfigKey>(key: K): ConfigTypes[K] | undefined;
  /** Where the value comes from, or undefined when unset. */
  sourceOf(key: ConfigKey): ConfigSource | undefined;
}

export interface LoadConfigOptions {
  flags?: Partial<ConfigValues>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const KEYS = Object.keys(SETTINGS) as ConfigKey[];
const FILE_KEYS = KEYS.filter((key) => !SETTINGS[key].notInFile);

export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  const paths: PathContext = { home: env.HOME || homedir(), cwd: opts.cwd ?? process.cwd() };
  const flags = opts.flags ?? {};
  const dotenv = readDotenv(paths.cwd);
  const stateDirFound = lookup('dyniaStateDir', flags, env, dotenv, undefined)!;
  const stateDir = parseOrThrow('dyniaStateDir', stateDirFound, paths, '');
  const configFile = join(stateDir, 'config.json');
  const file = readConfigFile(configFile);

  function get<K extends ConfigKey>(key: K): ConfigTypes[K] | undefined {
    const found = lookup(key, flags, env, dotenv, file);
    return found === undefined ? undefined : parseOrThrow(key, found, paths, configFile);
  }

  return {
    stateDir,
    configFile,
    get,
    require<K extends ConfigKey>(key: K): ConfigTypes[K] {
      const value = get(key);
      if (value !== undefined) return value;
      const spec = SETTINGS[key];
      throw ConfigError(`${spec.env} is not set. ${spec.howToSet ?? ''}`.trim(), `Or set "${key}" in ${configFile}.`);
    },
    sourceOf: (key) => lookup(key, flags, env, dotenv, file)?.source,
  };
}

interface Found {
  raw: string;
  source: ConfigSource;
}

function lookup(
  key: ConfigKey,
  flags: Partial<ConfigValues>,
  env: NodeJS.ProcessEnv,
  dotenv: Record<string, string>,
  file: Partial<ConfigValues> | undefined,
): Found | undefined {
  const candidates: Array<[string | undefined, ConfigSource]> = [
    [flags[key], 'flag'],
    [env[SETTINGS[key].env], 'env'],
    [dotenv[SETTINGS[key].env], 'dotenv'],
    [file?.[key], 'file'],
    [SETTINGS[key].default, 'default'],
  ];
  for (const [raw, source] of candidates) {
    // An empty value (e.g. `export X=`) counts as unset.
    if (raw !== undefined && raw.trim() !== '') return { raw, source };
  }
  return undefined;
}

const ORIGINS: Record<ConfigSource, (key: ConfigKey, configFile: string) => string> = {
  flag: () => 'from the command line',
  env: () => 'from the environment',
  dotenv: () => 'from .env',
  file: (key, configFile) => `from ${configFile}, key "${key}"`,
  default: () => 'by default',
};

function parseOrThrow<K extends ConfigKey>(key: K, found: Found, paths: PathContext, configFile: string): ConfigTypes[K] {
  const spec = SETTINGS[key] as Setting<ConfigTypes[K]>;
  try {
    return spec.parse(found.raw, paths);
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    const shown = spec.secret ? '(value hidden)' : `"${found.raw}"`;
    throw ConfigError(`${spec.env} ${shown} ${ORIGINS[found.source](key, configFile)} is invalid: ${error.message}.`);
  }
}

/** The optional config file: a flat JSON object of string values under the keys above. */
function readConfigFile(path: string): Partial<ConfigValues> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ConfigError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw ConfigError(`${path} is not valid JSON: ${(error as Error).message}`, 'Fix the file or remove it.');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw ConfigError(`${path} must hold a JSON object`);
  const values: Partial<ConfigValues> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!(FILE_KEYS as string[]).includes(key)) {
      throw ConfigError(`${path} has an unknown key "${key}"`, `Known keys: ${FILE_KEYS.join(', ')}.`);
    }
    if (typeof value !== 'string') throw ConfigError(`${path}: key "${key}" must be a string`);
    values[key as ConfigKey] = value;
  }
  return values;
}

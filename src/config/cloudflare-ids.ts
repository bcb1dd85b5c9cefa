/**
 * CLOUDFLARE_ZONE_ID and CLOUDFLARE_ACCOUNT_ID need not be looked up by hand: the zone is the one named
 * DYNIA_DOMAIN (`GET /zones?name=`), the account is the zone's. What was found is cached in config.json, so
 * only the first command pays the lookup.
 */
import { ConfigError } from '../errors.js';
import type { Zone } from '../cloud/cloudflare.js';
import type { Config, ConfigKey } from './config.js';
import { mergeConfigFile } from './config-file.js';

export interface ZoneLookup {
  findZoneByName(name: string): Promise<Zone | null>;
  getZone(zoneId: string): Promise<Zone>;
}

export interface FoundIds {
  zoneId: string;
  accountId?: string;
  /** The ids that were looked up now (not given). */
  lookedUp: Array<'cloudflareZoneId' | 'cloudflareAccountId'>;
}

/** The ids as given, completed from the API where missing; no call when both are given. */
export async function findCloudflareIds(
  given: { domain: string; zoneId?: string; accountId?: string },
  cloudflare: ZoneLookup,
): Promise<FoundIds> {
  if (given.zoneId && given.accountId) return { zoneId: given.zoneId, accountId: given.accountId, lookedUp: [] };
  const zone = given.zoneId ? await cloudflare.getZone(given.zoneId) : await cloudflare.findZoneByName(given.domain);
  if (!zone) {
    throw ConfigError(
      `CLOUDFLARE_ZONE_ID is not set and CLOUDFLARE_API_TOKEN sees no Cloudflare zone named ${given.domain} (DYNIA_DOMAIN).`,
      'Check DYNIA_DOMAIN (the domain as added to Cloudflare), that the token includes this zone, or set CLOUDFLARE_ZONE_ID.',
    );
  }
  const accountId = given.accountId ?? zone.account?.id;
  const lookedUp: FoundIds['lookedUp'] = [];
  if (!given.zoneId) lookedUp.push('cloudflareZoneId');
  if (!given.accountId && accountId) lookedUp.push('cloudflareAccountId');
  return { zoneId: zone.id, ...(accountId ? { accountId } : {}), lookedUp };
}

/**
 * The configuration with both ids filled in (looked up and cached when missing). A cache that cannot be
 * written costs a lookup next time, nothing more: it is reported, not fatal.
 */
export async function withCloudflareIds(
  config: Config,
  cloudflare: ZoneLookup,
  notice: { info(message: string): void; warn(message: string): void },
): Promise<Config> {
  const zoneId = config.get('cloudflareZoneId');
  const accountId = config.get('cloudflareAccountId');
  if (zoneId && accountId) return config;
  const found = await findCloudflareIds(
    { domain: config.require('dyniaDomain'), ...(zoneId ? { zoneId } : {}), ...(accountId ? { accountId } : {}) },
    cloudflare,
  );
  const values: Partial<Record<ConfigKey, string>> = {};
  for (const key of found.lookedUp) values[key] = key === 'cloudflareZoneId' ? found.zoneId : found.accountId!;
  if (found.lookedUp.length > 0) {
    const shown = found.lookedUp
      .map((key) => `${key === 'cloudflareZoneId' ? 'CLOUDFLARE_ZONE_ID' : 'CLOUDFLARE_ACCOUNT_ID'}=${values[key]}`)
      .join(', ');
    try {
      mergeConfigFile(config.configFile, values);
      notice.info(`found ${shown} from DYNIA_DOMAIN; cached in ${config.configFile}`);
    } catch (error) {
      notice.warn(`could not cache the Cloudflare ids in ${config.configFile}: ${(error as Error).message}`);
    }
  }
  return withValues(config, values);
}

/** `config` with some values set as if given on the command line. */
function withValues(config: Config, values: Partial<Record<ConfigKey, string>>): Config {
  const has = (key: ConfigKey) => values[key] !== undefined;
  return {
    stateDir: config.stateDir,
    configFile: config.configFile,
    get: (key) => (has(key) ? (values[key] as never) : config.get(key)),
    require: (key) => (has(key) ? (values[key] as never) : config.require(key)),
    sourceOf: (key) => (has(key) ? 'file' : config.sourceOf(key)),
  };
}

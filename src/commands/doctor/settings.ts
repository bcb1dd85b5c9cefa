/** Reads what doctor checks from the configuration, turning each unusable setting into its message and fix. */
import { readFileSync } from 'node:fs';
import type { Config, ConfigKey } from '../../config/config.js';
import { DyniaError } from '../../errors.js';
import type { DoctorSettings, Read } from './types.js';

/** Settings that have no check of their own; a malformed one is reported by the "settings" check. */
const UNCHECKED: ConfigKey[] = ['dyniaAcmeEmail', 'dyniaWorkersDevUrl'];

export function readDoctorSettings(config: Config): { settings: DoctorSettings; unparsable: Array<{ message: string; fix: string }> } {
  const source = (key: ConfigKey): string => {
    const from = config.sourceOf(key);
    return from === 'file'
      ? `from ${config.configFile}`
      : from === 'env'
        ? 'from the environment'
        : from === 'dotenv'
          ? 'from .env'
          : from === 'flag'
            ? 'from the command line'
            : 'by default';
  };
  const read = <T>(key: ConfigKey, value: () => T): Read<T> => {
    try {
      return { ok: true, value: value(), source: source(key) };
    } catch (error) {
      if (!(error instanceof DyniaError)) throw error;
      return { ok: false, message: error.message, fix: error.hint ?? '' };
    }
  };
  const settings: DoctorSettings = {
    digitaloceanToken: read(
      'digitaloceanToken',
      () => (config.require('digitaloceanToken'), config.require('digitaloceanApiUrl'), true as const),
    ),
    cloudflareApiToken: read(
      'cloudflareApiToken',
      () => (config.require('cloudflareApiToken'), config.require('cloudflareApiUrl'), true as const),
    ),
    domain: read('dyniaDomain', () => config.require('dyniaDomain')),
    zoneId: read('cloudflareZoneId', () => config.get('cloudflareZoneId')),
    accountId: read('cloudflareAccountId', () => config.get('cloudflareAccountId')),
    sshKeyPath: read('dyniaSshKey', () => config.require('dyniaSshKey')),
    resolvers: read('dyniaDnsResolvers', () => config.require('dyniaDnsResolvers').map(({ ip, port }) => ({ host: ip, port }))),
    acme: read('dyniaAcmeCa', () => {
      const ca = config.require('dyniaAcmeCa');
      const rootFile = config.get('dyniaAcmeCaRoot');
      if (!rootFile) return { ca };
      try {
        return { ca, caRootPem: readFileSync(rootFile, 'utf8') };
      } catch (error) {
        throw new DyniaError(
          'config',
          `DYNIA_ACME_CA_ROOT ${rootFile} cannot be read: ${(error as Error).message}`,
          'Point it at the PEM file of the root behind the ACME server, or unset it for a public CA.',
        );
      }
    }),
  };
  const unparsable = UNCHECKED.flatMap((key) => {
    const result = read(key, () => config.get(key));
    return result.ok ? [] : [{ message: result.message, fix: result.fix }];
  });
  return { settings, unparsable };
}

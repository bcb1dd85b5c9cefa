/**
 * The checks against the two cloud APIs, read-only: each proves the token may do what Dynia will ask of it.
 * A check that cannot run because an earlier one failed is skipped (the earlier failure is the one to fix).
 */
import { CloudError } from '../../cloud/cloud-error.js';
import type { Zone } from '../../cloud/cloudflare.js';
import { matchingKey, type LocalKey } from '../node-create/ssh-key.js';
import { attempt, CheckFailed, fail, skip } from './result.js';
import type { CheckResult, DoctorCloudflare, DoctorDigitalOcean, DoctorSettings } from './types.js';

const DO_TOKEN_FIX =
  'Create a token at https://cloud.digitalocean.com/account/api/tokens (full access, or custom scopes: account read, droplet, firewall, ssh_key and tag create/read/update/delete) and export DIGITALOCEAN_TOKEN=...';
const CF_TOKEN_FIX =
  'Create a token at https://dash.cloudflare.com/profile/api-tokens with Zone > DNS > Edit (your zone) and Account > Workers Scripts > Edit, then export CLOUDFLARE_API_TOKEN=...';

const TITLES = {
  doToken: 'DigitalOcean token (DIGITALOCEAN_TOKEN) reads the account',
  doDroplets: 'DigitalOcean token may use droplets',
  doFirewalls: 'DigitalOcean token may use firewalls',
  sshKeyAccount: 'SSH key (DYNIA_SSH_KEY) in the DigitalOcean account',
  cfToken: 'Cloudflare token (CLOUDFLARE_API_TOKEN) is valid',
  cfZone: 'Cloudflare zone matches DYNIA_DOMAIN',
  cfDns: "Cloudflare token may edit the zone's DNS",
  cfAccount: 'Cloudflare account is reachable',
  cfWorkers: 'Cloudflare token may use Workers scripts',
};

export async function digitaloceanChecks(
  settings: DoctorSettings,
  digitalocean: DoctorDigitalOcean | undefined,
  localKey: LocalKey | undefined,
): Promise<CheckResult[]> {
  const token = settings.digitaloceanToken;
  if (!token.ok || !digitalocean) {
    const why = token.ok ? { message: 'no client', fix: DO_TOKEN_FIX } : token;
    const needs = 'needs DIGITALOCEAN_TOKEN';
    return [
      fail('do-token', TITLES.doToken, why.message, why.fix),
      skip('do-droplets', TITLES.doDroplets, needs),
      skip('do-firewalls', TITLES.doFirewalls, needs),
      skip('ssh-key-account', TITLES.sshKeyAccount, needs),
    ];
  }
  let rejected = false;
  const account = await attempt('do-token', TITLES.doToken, DO_TOKEN_FIX, async () => {
    const { email, status } = await digitalocean.getAccount().catch((error: unknown) => {
      rejected = isRejection(error);
      throw error;
    });
    if (status === 'locked') throw new CheckFailed(`the account ${email} is locked.`);
    return `account ${email} (${status})`;
  });
  if (account.status !== 'ok') {
    if (rejected) account.detail = `DIGITALOCEAN_TOKEN is not accepted: ${account.detail}`;
    const needs = 'needs a working DIGITALOCEAN_TOKEN';
    return [
      account,
      skip('do-droplets', TITLES.doDroplets, needs),
      skip('do-firewalls', TITLES.doFirewalls, needs),
      skip('ssh-key-account', TITLES.sshKeyAccount, needs),
    ];
  }
  const scope = (name: string) => `Give DIGITALOCEAN_TOKEN the ${name} scopes (create, read, update, delete), or use a full-access token.`;
  return Promise.all([
    account,
    attempt(
      'do-droplets',
      TITLES.doDroplets,
      scope('droplet'),
      async () => (await digitalocean.checkListable('/v2/droplets'), 'droplets readable'),
    ),
    attempt(
      'do-firewalls',
      TITLES.doFirewalls,
      scope('firewall'),
      async () => (await digitalocean.checkListable('/v2/firewalls'), 'firewalls readable'),
    ),
    localKey
      ? attempt('ssh-key-account', TITLES.sshKeyAccount, scope('ssh_key'), async () => {
          const key = matchingKey(await digitalocean.listSshKeys(), localKey);
          return key ? `key ${key.id} "${key.name}"` : 'not in the account yet: node:create imports it';
        })
      : skip('ssh-key-account', TITLES.sshKeyAccount, 'needs a usable DYNIA_SSH_KEY'),
  ]);
}

export async function cloudflareChecks(settings: DoctorSettings, cloudflare: DoctorCloudflare | undefined): Promise<CheckResult[]> {
  const token = settings.cloudflareApiToken;
  const rest = (reason: string, from: string[]) =>
    [
      ['cf-zone', TITLES.cfZone],
      ['cf-dns', TITLES.cfDns],
      ['cf-account', TITLES.cfAccount],
      ['cf-workers', TITLES.cfWorkers],
    ]
      .filter(([id]) => from.includes(id!))
      .map(([id, title]) => skip(id!, title!, reason));
  const all = ['cf-zone', 'cf-dns', 'cf-account', 'cf-workers'];
  if (!token.ok || !cloudflare) {
    const why = token.ok ? { message: 'no client', fix: CF_TOKEN_FIX } : token;
    return [fail('cf-token', TITLES.cfToken, why.message, why.fix), ...rest('needs CLOUDFLARE_API_TOKEN', all)];
  }
  let rejected = false;
  const verified = await attempt('cf-token', TITLES.cfToken, CF_TOKEN_FIX, async () => {
    const { status } = await cloudflare.verifyToken().catch((error: unknown) => {
      rejected = isRejection(error);
      throw error;
    });
    if (status !== 'active') throw new CheckFailed(`CLOUDFLARE_API_TOKEN is ${status}.`);
    return 'token active';
  });
  if (verified.status !== 'ok') {
    if (rejected) verified.detail = `CLOUDFLARE_API_TOKEN is not accepted: ${verified.detail}`;
    return [verified, ...rest('needs a working CLOUDFLARE_API_TOKEN', all)];
  }

  let zone: Zone | undefined;
  const zoneCheck = await zoneMatches(settings, cloudflare, (found) => (zone = found));
  const accountId = settings.accountId.ok ? (settings.accountId.value ?? zone?.account?.id) : undefined;
  const accountFrom =
    settings.accountId.ok && settings.accountId.value ? `CLOUDFLARE_ACCOUNT_ID ${settings.accountId.source}` : "the zone's account";
  const checks = await Promise.all([
    zone ? dnsEditable(cloudflare, zone) : Promise.resolve(skip('cf-dns', TITLES.cfDns, 'needs the zone')),
    accountId
      ? attempt(
          'cf-account',
          TITLES.cfAccount,
          "Unset CLOUDFLARE_ACCOUNT_ID (the zone's account is used) or set it to an account the token has Workers Scripts permission in.",
          async () => {
            const account = (await cloudflare.listAccounts()).find((a) => a.id === accountId);
            if (!account)
              throw new CheckFailed(`account ${accountId} (${accountFrom}) is not among the accounts CLOUDFLARE_API_TOKEN reaches.`);
            return `account ${account.name} (${account.id}), ${accountFrom}`;
          },
        )
      : Promise.resolve(
          settings.accountId.ok
            ? skip('cf-account', TITLES.cfAccount, 'needs the zone (its account)')
            : fail('cf-account', TITLES.cfAccount, settings.accountId.message, settings.accountId.fix),
        ),
    accountId
      ? attempt(
          'cf-workers',
          TITLES.cfWorkers,
          'Add Account > Workers Scripts > Edit to CLOUDFLARE_API_TOKEN.',
          async () => (await cloudflare.checkWorkersReadable(accountId), `Workers scripts readable in ${accountId}`),
        )
      : Promise.resolve(skip('cf-workers', TITLES.cfWorkers, 'needs the account')),
  ]);
  return [verified, zoneCheck, ...checks];
}

async function zoneMatches(settings: DoctorSettings, cloudflare: DoctorCloudflare, found: (zone: Zone) => void): Promise<CheckResult> {
  const { domain, zoneId } = settings;
  if (!domain.ok) return fail('cf-zone', TITLES.cfZone, domain.message, domain.fix);
  if (!zoneId.ok) return fail('cf-zone', TITLES.cfZone, zoneId.message, zoneId.fix);
  const given = zoneId.value;
  const fix = given
    ? `Set CLOUDFLARE_ZONE_ID to the zone of ${domain.value}, or unset it (and remove "cloudflareZoneId" from .dynia/config.json): it is found from DYNIA_DOMAIN.`
    : `Add ${domain.value} to Cloudflare and include it in the token's Zone Resources, or fix DYNIA_DOMAIN.`;
  return attempt('cf-zone', TITLES.cfZone, fix, async () => {
    if (given) {
      const zone = await cloudflare.getZone(given);
      if (!sameName(zone.name, domain.value))
        throw new CheckFailed(`CLOUDFLARE_ZONE_ID ${given} (${zoneId.source}) is the zone ${zone.name}, not DYNIA_DOMAIN ${domain.value}.`);
      found(zone);
      return `zone ${zone.name} (${zone.id}), CLOUDFLARE_ZONE_ID ${zoneId.source}`;
    }
    const zone = await cloudflare.findZoneByName(domain.value);
    if (!zone) throw new CheckFailed(`CLOUDFLARE_API_TOKEN sees no zone named ${domain.value} (DYNIA_DOMAIN).`);
    found(zone);
    return `zone ${zone.name} (${zone.id}), found from DYNIA_DOMAIN (commands cache it in config.json)`;
  });
}

/** The zone's `permissions` tell edit rights when Cloudflare serves them; otherwise reading is what can be proven. */
async function dnsEditable(cloudflare: DoctorCloudflare, zone: Zone): Promise<CheckResult> {
  const fix = `Add Zone > DNS > Edit for ${zone.name} to CLOUDFLARE_API_TOKEN.`;
  return attempt('cf-dns', TITLES.cfDns, fix, async () => {
    if (zone.permissions && !zone.permissions.includes('#dns_records:edit'))
      throw new CheckFailed(
        `the token may not edit DNS records of ${zone.name} (zone permissions: ${zone.permissions.join(', ') || 'none'}).`,
      );
    await cloudflare.checkDnsReadable(zone.id);
    return zone.permissions ? 'DNS records editable' : 'DNS records readable (the API does not tell edit rights)';
  });
}

/** The API refused the token itself (rather than being unreachable). */
const isRejection = (error: unknown): boolean => error instanceof CloudError && (error.status === 401 || error.status === 403);

const sameName = (a: string, b: string) => a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');

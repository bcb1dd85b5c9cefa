/**
 * Which DigitalOcean account key is the one Dynia will log in with (the public half of DYNIA_SSH_KEY), and
 * its import when the account does not have it yet.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import ssh2 from 'ssh2';
import { CloudError } from '../../cloud/cloud-error.js';
import type { SshKey } from '../../cloud/digitalocean.js';
import { ConfigError } from '../../errors.js';

export interface LocalKey {
  /** `type base64` (what the account must hold; comments do not count). */
  body: string;
  comment: string;
}

export function readLocalKey(privateKeyPath: string): LocalKey {
  let parsed: ReturnType<typeof ssh2.utils.parseKey>;
  try {
    parsed = ssh2.utils.parseKey(readFileSync(privateKeyPath));
  } catch (error) {
    throw ConfigError(`cannot read the SSH key ${privateKeyPath} (DYNIA_SSH_KEY): ${(error as Error).message}`);
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || !key.isPrivateKey()) {
    throw ConfigError(
      `DYNIA_SSH_KEY ${privateKeyPath} is not a usable private key${key instanceof Error ? `: ${key.message}` : ''}.`,
      'Use an unencrypted OpenSSH private key, e.g. ssh-keygen -t ed25519 -N "" -f ~/.ssh/dynia',
    );
  }
  return { body: `${key.type} ${key.getPublicSSH().toString('base64')}`, comment: key.comment.trim() };
}

const keyBody = (publicKey: string): string => publicKey.trim().split(/\s+/).slice(0, 2).join(' ');

/** The account key that is the public half of the local key, if any. */
export const matchingKey = (keys: readonly SshKey[], local: LocalKey): SshKey | undefined =>
  keys.find((key) => keyBody(key.public_key) === local.body);

/** Name of an imported key: its comment (`user@host`), else this host. */
export const importName = (local: LocalKey, host: string = hostname()): string => local.comment || `dynia ${host}`;

export interface AccountKeys {
  listSshKeys(): Promise<SshKey[]>;
  createSshKey(name: string, publicKey: string): Promise<SshKey>;
}

/** The account key for DYNIA_SSH_KEY, imported (POST /v2/account/keys) when the account lacks it. */
export async function ensureAccountKey(digitalocean: AccountKeys, privateKeyPath: string): Promise<{ key: SshKey; imported: boolean }> {
  const local = readLocalKey(privateKeyPath);
  const found = matchingKey(await digitalocean.listSshKeys(), local);
  if (found) return { key: found, imported: false };
  try {
    const publicKey = local.comment ? `${local.body} ${local.comment}` : local.body;
    return { key: await digitalocean.createSshKey(importName(local), publicKey), imported: true };
  } catch (error) {
    // Imported meanwhile (a parallel run): DigitalOcean answers 422 "already in use"; take that one.
    const again = error instanceof CloudError && error.status === 422 ? matchingKey(await digitalocean.listSshKeys(), local) : undefined;
    if (again) return { key: again, imported: false };
    throw error;
  }
}

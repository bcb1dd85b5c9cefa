/** Which DigitalOcean account key is the one Dynia will log in with (the public half of DYNIA_SSH_KEY). */
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { DigitalOceanClient, SshKey } from '../cloud/digitalocean.js';
import { ConfigError, InputError } from '../errors.js';

export function publicKeyOf(privateKeyPath: string): string {
  let parsed;
  try {
    parsed = ssh2.utils.parseKey(readFileSync(privateKeyPath));
  } catch (error) {
    throw ConfigError(`cannot read the SSH key ${privateKeyPath} (DYNIA_SSH_KEY): ${(error as Error).message}`);
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) {
    throw ConfigError(`DYNIA_SSH_KEY ${privateKeyPath} is not a usable private key${key instanceof Error ? `: ${key.message}` : ''}.`, 'Use an unencrypted OpenSSH private key, e.g. ssh-keygen -t ed25519 -N "" -f ~/.ssh/dynia');
  }
  return `${key.type} ${key.getPublicSSH().toString('base64')}`;
}

const keyBody = (publicKey: string): string => publicKey.trim().split(/\s+/).slice(0, 2).join(' ');

export async function findAccountKey(digitalocean: DigitalOceanClient, privateKeyPath: string): Promise<SshKey> {
  const wanted = keyBody(publicKeyOf(privateKeyPath));
  const keys = await digitalocean.listSshKeys();
  const match = keys.find((key) => keyBody(key.public_key) === wanted);
  if (match) return match;
  throw InputError(
    `none of the ${keys.length} SSH key(s) in your DigitalOcean account is the public half of ${privateKeyPath} (DYNIA_SSH_KEY).`,
    'Add it in the DigitalOcean control panel (Settings > Security > SSH keys), or pass --ssh-key <id|fingerprint> of a key whose private half DYNIA_SSH_KEY points at.',
  );
}

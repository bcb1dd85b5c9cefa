/** OpenSSH public keys: parsing and the MD5 fingerprint DigitalOcean uses to identify them. */
import { createHash } from 'node:crypto';
import { unprocessable, type ApiError } from './api-error.js';

const KEY_TYPES = new Set([
  'ssh-rsa',
  'ssh-dss',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);

export interface ParsedPublicKey {
  type: string;
  blob: Buffer;
}

const malformed = (): ApiError => unprocessable('Key invalid, key should be of the format `type key [comment]`');

/** Parses `type base64-blob [comment]`; the blob must itself start with the same type (as sshd checks). */
export function parsePublicKey(text: string): ParsedPublicKey {
  const [type, encoded] = text.trim().split(/\s+/);
  if (!type || !encoded || !KEY_TYPES.has(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw malformed();
  const blob = Buffer.from(encoded, 'base64');
  if (blob.length < 4) throw malformed();
  const typeLength = blob.readUInt32BE(0);
  if (blob.subarray(4, 4 + typeLength).toString('latin1') !== type) {
    throw unprocessable('Fingerprint could not be generated, please make sure your key is valid');
  }
  return { type, blob };
}

/** `aa:bb:...`: MD5 of the decoded key blob, as `ssh-keygen -E md5 -lf` prints it (without `MD5:`). */
export function md5Fingerprint(publicKey: string): string {
  const digest = createHash('md5').update(parsePublicKey(publicKey).blob).digest('hex');
  return digest.match(/../g)!.join(':');
}

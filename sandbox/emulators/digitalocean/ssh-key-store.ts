/** The account's SSH keys, addressable by id or MD5 fingerprint. */
import { unprocessable } from './api-error.js';
import { md5Fingerprint } from './fingerprint.js';

export interface SshKey {
  id: number;
  fingerprint: string;
  public_key: string;
  name: string;
}

const FIRST_KEY_ID = 41_000_001;

export class SshKeyStore {
  private readonly keys: SshKey[] = [];
  private nextId = FIRST_KEY_ID;

  /** Throws a 422 ApiError for a blank name, a malformed key or one already on the account. */
  add(name: string, publicKey: string): SshKey {
    if (name.trim() === '') throw unprocessable('Name is invalid, must not be blank');
    const fingerprint = md5Fingerprint(publicKey);
    if (this.keys.some((k) => k.fingerprint === fingerprint)) throw unprocessable('SSH Key is already in use on your account');
    const key = { id: this.nextId++, fingerprint, public_key: publicKey.trim(), name };
    this.keys.push(key);
    return key;
  }

  list(): SshKey[] {
    return [...this.keys];
  }

  /** `identifier` is an id (digits, from a path or a JSON number) or a fingerprint. */
  find(identifier: string | number): SshKey | undefined {
    const asText = String(identifier);
    return /^\d+$/.test(asText)
      ? this.keys.find((k) => k.id === Number(asText))
      : this.keys.find((k) => k.fingerprint === asText.toLowerCase());
  }

  remove(key: SshKey): void {
    this.keys.splice(this.keys.indexOf(key), 1);
  }
}

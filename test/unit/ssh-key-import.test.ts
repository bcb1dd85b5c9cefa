import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CloudError } from '../../src/cloud/cloud-error.js';
import type { SshKey } from '../../src/cloud/digitalocean.js';
import type { DyniaError } from '../../src/errors.js';
import { ensureAccountKey, importName, readLocalKey, type AccountKeys } from '../../src/commands/node-create/ssh-key.js';

const dir = mkdtempSync(join(tmpdir(), 'dynia-keys-'));
function keygen(name: string, comment: string): { path: string; pub: string } {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  return { path, pub: readFileSync(`${path}.pub`, 'utf8').trim() };
}
const body = (pub: string) => pub.split(' ').slice(0, 2).join(' ');

function fakeAccount(keys: SshKey[], onCreate?: (name: string, publicKey: string) => SshKey | Error) {
  const created: Array<{ name: string; publicKey: string }> = [];
  const account: AccountKeys = {
    async listSshKeys() {
      return [...keys];
    },
    async createSshKey(name, publicKey) {
      created.push({ name, publicKey });
      const result = onCreate?.(name, publicKey) ?? { id: 7, fingerprint: 'fp', public_key: publicKey, name };
      if (result instanceof Error) throw result;
      keys.push(result);
      return result;
    },
  };
  return { account, created };
}

describe('ensureAccountKey', () => {
  const mine = keygen('mine', 'ana@laptop');

  it('uses the account key that is the public half of DYNIA_SSH_KEY (comments do not matter)', async () => {
    const { account, created } = fakeAccount([
      { id: 1, fingerprint: 'a', public_key: keygen('other', 'x').pub, name: 'other' },
      { id: 2, fingerprint: 'b', public_key: `${body(mine.pub)} renamed`, name: 'mine' },
    ]);
    const result = await ensureAccountKey(account, mine.path);
    assert.deepEqual([result.key.id, result.imported], [2, false]);
    assert.deepEqual(created, []);
  });

  it('imports the public half, named after its comment, when the account lacks it', async () => {
    const { account, created } = fakeAccount([]);
    const result = await ensureAccountKey(account, mine.path);
    assert.equal(result.imported, true);
    assert.deepEqual(created, [{ name: 'ana@laptop', publicKey: mine.pub }]);
  });

  it('names a key without a comment after this host', () => {
    const bare = keygen('bare', '');
    assert.equal(importName(readLocalKey(bare.path), 'build-7'), 'dynia build-7');
  });

  it('takes the key a parallel run imported meanwhile (422 already in use)', async () => {
    const keys: SshKey[] = [];
    const { account } = fakeAccount(keys, (name, publicKey) => {
      keys.push({ id: 9, fingerprint: 'c', public_key: publicKey, name });
      return new CloudError({
        service: 'DigitalOcean',
        method: 'POST',
        path: '/v2/account/keys',
        status: 422,
        apiMessage: 'SSH Key is already in use on your account',
      });
    });
    assert.deepEqual(await ensureAccountKey(account, mine.path), { key: keys[0], imported: false });
  });

  it('refuses a public key or a missing file as DYNIA_SSH_KEY, before any call', async () => {
    const { account, created } = fakeAccount([]);
    await assert.rejects(
      ensureAccountKey(account, `${mine.path}.pub`),
      (error: DyniaError) => error.kind === 'config' && /is not a usable private key/.test(error.message),
    );
    await assert.rejects(
      ensureAccountKey(account, join(dir, 'nope')),
      (error: DyniaError) => error.kind === 'config' && /cannot read the SSH key .*nope \(DYNIA_SSH_KEY\)/.test(error.message),
    );
    assert.deepEqual(created, []);
  });
});

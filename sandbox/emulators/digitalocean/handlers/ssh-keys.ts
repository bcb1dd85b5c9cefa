/** `/v2/account/keys`: list, create, get and delete by id or fingerprint. */
import { notFound, unprocessable } from '../api-error.js';
import { route, type ApiRequest, type Route } from '../router.js';
import type { SshKey, SshKeyStore } from '../ssh-key-store.js';
import { listResponse } from './list.js';

export function sshKeyRoutes(keys: SshKeyStore): Route[] {
  const existing = (request: ApiRequest): SshKey => {
    const key = keys.find(request.params.key!);
    if (!key) throw notFound();
    return key;
  };
  return [
    route('GET', '/v2/account/keys', async (request) => listResponse('ssh_keys', keys.list(), request)),
    route('POST', '/v2/account/keys', async (request) => {
      const body = (await request.json()) as { name?: unknown; public_key?: unknown } | null;
      const name = body?.name;
      const publicKey = body?.public_key;
      if (typeof name !== 'string') throw unprocessable('Name is invalid, must not be blank');
      if (typeof publicKey !== 'string') throw unprocessable('Key invalid, key should be of the format `type key [comment]`');
      return { status: 201, body: { ssh_key: keys.add(name, publicKey) } };
    }),
    route('GET', '/v2/account/keys/:key', async (request) => ({ status: 200, body: { ssh_key: existing(request) } })),
    route('DELETE', '/v2/account/keys/:key', async (request) => {
      keys.remove(existing(request));
      return { status: 204 };
    }),
  ];
}

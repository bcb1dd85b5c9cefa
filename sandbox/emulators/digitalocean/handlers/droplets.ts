/** `/v2/droplets`: list (with tag/name filters), create, get, delete by id and delete by tag. */
import type { HostDriver } from '../../ports.js';
import { badRequest, notFound, unprocessable } from '../api-error.js';
import { parseCreateDropletRequest, type CreateDropletRequest } from '../create-request.js';
import { isoSeconds, type DropletRecord, type DropletStore } from '../droplet-store.js';
import { renderDroplet } from '../droplet-view.js';
import { route, type ApiRequest, type Route } from '../router.js';
import type { SshKeyStore } from '../ssh-key-store.js';
import { DROPLET_LIMIT } from './account.js';
import { listResponse } from './list.js';

function filterDroplets(droplets: DropletRecord[], query: URLSearchParams): DropletRecord[] {
  const tag = query.get('tag_name');
  const name = query.get('name');
  const type = query.get('type');
  if (tag !== null && (name !== null || type !== null)) throw unprocessable('tag_name cannot be combined with name or type.');
  // Emulated droplets are never GPU droplets.
  if (type === 'gpus') return [];
  return droplets.filter((d) => (tag === null || d.tags.includes(tag)) && (name === null || d.name.toLowerCase() === name.toLowerCase()));
}

const dropletIdParam = (request: ApiRequest): number => {
  const id = request.params.id!;
  if (!/^\d+$/.test(id)) throw notFound();
  return Number(id);
};

/** Called after a droplet is created or deleted: firewalls that cover it by tag, or named it, change with it. */
export interface DropletEvents {
  created(id: number): Promise<void>;
  deleted(id: number): Promise<void>;
}

export function dropletRoutes(store: DropletStore, keys: SshKeyStore, hosts: HostDriver, events?: DropletEvents): Route[] {
  async function createOne(spec: CreateDropletRequest, name: string) {
    // Listed (status new, no address yet) from the moment the request is taken, as in the real API: a client
    // that lost the answer and lists by tag must find it, even while its host is still being started.
    const droplet: DropletRecord = {
      id: store.allocateId(),
      name,
      ip: '',
      tags: spec.tags,
      createdAt: isoSeconds(),
      size: spec.size,
      region: spec.region,
      image: spec.image,
      features: spec.features,
      active: false,
    };
    store.add(droplet);
    try {
      const { ip } = await hosts.create({
        dropletId: droplet.id,
        name,
        authorizedKeys: spec.keys.map((k) => k.public_key),
        ...(spec.userData === undefined ? {} : { userData: spec.userData }),
        tags: spec.tags,
        sizeSlug: spec.size.slug,
        region: spec.region.slug,
        image: spec.image.slug,
      });
      droplet.ip = ip;
    } catch (error) {
      store.forget(droplet.id);
      throw error;
    }
    await events?.created(droplet.id);
    return { droplet, action: store.startCreateAction(droplet) };
  }

  return [
    route('GET', '/v2/droplets', async (request) => {
      const droplets = filterDroplets(await store.list(), request.url.searchParams);
      return listResponse(
        'droplets',
        droplets.map((d) => renderDroplet(d)),
        request,
      );
    }),

    route('POST', '/v2/droplets', async (request) => {
      const spec = parseCreateDropletRequest(await request.json(), (identifier) => keys.find(identifier));
      if (store.count() + spec.names.length > DROPLET_LIMIT) {
        throw unprocessable(`creating this/these droplet(s) will exceed your droplet limit (${DROPLET_LIMIT})`);
      }
      const created = [];
      // A host driver failure surfaces as the API's generic 500 (see api.ts).
      for (const name of spec.names) created.push(await createOne(spec, name));
      const links = {
        actions: created.map(({ action }) => ({ id: action.id, rel: 'create', href: `${request.base}/v2/actions/${action.id}` })),
      };
      const body = spec.multi
        ? { droplets: created.map(({ droplet }) => renderDroplet(droplet)), links }
        : { droplet: renderDroplet(created[0]!.droplet), links };
      return { status: 202, body };
    }),

    route('DELETE', '/v2/droplets', async (request) => {
      const tag = request.url.searchParams.get('tag_name');
      if (!tag) throw badRequest('tag_name is required to delete droplets by tag.');
      for (const droplet of (await store.list()).filter((d) => d.tags.includes(tag))) {
        await store.destroy(droplet.id);
        await events?.deleted(droplet.id);
      }
      return { status: 204, jsonContentType: true };
    }),

    route('GET', '/v2/droplets/:id', async (request) => {
      const droplet = await store.get(dropletIdParam(request));
      if (!droplet) throw notFound();
      return { status: 200, body: { droplet: renderDroplet(droplet) } };
    }),

    route('DELETE', '/v2/droplets/:id', async (request) => {
      const id = dropletIdParam(request);
      if (!store.has(id)) throw notFound();
      await store.destroy(id);
      await events?.deleted(id);
      return { status: 204, jsonContentType: true };
    }),
  ];
}

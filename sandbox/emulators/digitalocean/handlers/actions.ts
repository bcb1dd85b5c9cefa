/** `GET /v2/actions/{id}`. */
import { notFound } from '../api-error.js';
import type { DropletStore } from '../droplet-store.js';
import { renderAction } from '../droplet-view.js';
import { route, type Route } from '../router.js';

export const actionRoutes = (store: DropletStore): Route[] => [
  route('GET', '/v2/actions/:id', async (request) => {
    const id = request.params.id!;
    const action = /^\d+$/.test(id) ? await store.action(Number(id)) : undefined;
    if (!action) throw notFound();
    return { status: 200, body: { action: renderAction(action) } };
  }),
];

/** Zone routes (`pattern` → `script`) and their `/zones/:zone_id/workers/routes[/:route_id]` handlers. */
import { cfError, successEnvelope } from './envelope.js';
import { newIdentifier } from './ids.js';
import type { RouteContext, Router } from './router.js';
import { findZone, type EmulatorState } from './state.js';
import type { Zone } from './dns-store.js';

export interface WorkerRoute {
  id: string;
  pattern: string;
  script: string;
}

export class WorkerRoutes {
  private readonly byZone = new Map<string, WorkerRoute[]>();

  list(zoneId: string): readonly WorkerRoute[] {
    return this.byZone.get(zoneId) ?? [];
  }

  set(zoneId: string, routes: WorkerRoute[]): void {
    this.byZone.set(zoneId, routes);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A pattern's host (before the first `/`, leading `*` or `*.` allowed) must lie in the zone. */
function parseRouteBody(body: unknown, zone: Zone): { pattern: string; script: string } {
  if (!isObject(body) || typeof body.pattern !== 'string' || body.pattern.trim() === '') {
    throw cfError(400, 10022, 'Route pattern is required.');
  }
  const pattern = body.pattern.trim();
  const host = pattern
    .replace(/^https?:\/\//, '')
    .split('/')[0]!
    .replace(/^\*\.?/, '')
    .toLowerCase();
  if (host !== zone.name && !host.endsWith(`.${zone.name}`)) {
    throw cfError(400, 10022, `Route pattern "${pattern}" does not match the zone ${zone.name}.`);
  }
  if (body.script !== undefined && typeof body.script !== 'string') throw cfError(400, 10022, 'script must be a string.');
  return { pattern, script: body.script ?? '' };
}

export function registerWorkerRouteHandlers(router: Router, state: EmulatorState): void {
  const zoneOf = (ctx: RouteContext): Zone => findZone(state, ctx.params.zone_id!, ctx.fullPath);
  const routeOf = (ctx: RouteContext, zone: Zone): WorkerRoute => {
    const route = state.routes.list(zone.id).find((r) => r.id === ctx.params.route_id);
    if (!route) throw cfError(404, 10007, 'Route not found.');
    return route;
  };
  const assertUnique = (zone: Zone, pattern: string, ignoreId?: string): void => {
    if (state.routes.list(zone.id).some((r) => r.pattern === pattern && r.id !== ignoreId)) {
      throw cfError(409, 10020, 'A route with the same pattern already exists.');
    }
  };

  router.add('GET', '/zones/:zone_id/workers/routes', async (ctx) => ({
    json: successEnvelope(state.routes.list(zoneOf(ctx).id)),
  }));

  router.add('POST', '/zones/:zone_id/workers/routes', async (ctx) => {
    const zone = zoneOf(ctx);
    const fields = parseRouteBody(await ctx.json(), zone);
    assertUnique(zone, fields.pattern);
    const route: WorkerRoute = { id: newIdentifier(), ...fields };
    state.routes.set(zone.id, [...state.routes.list(zone.id), route]);
    return { json: successEnvelope(route) };
  });

  router.add('GET', '/zones/:zone_id/workers/routes/:route_id', async (ctx) => {
    const zone = zoneOf(ctx);
    return { json: successEnvelope(routeOf(ctx, zone)) };
  });

  router.add('PUT', '/zones/:zone_id/workers/routes/:route_id', async (ctx) => {
    const zone = zoneOf(ctx);
    const current = routeOf(ctx, zone);
    const fields = parseRouteBody(await ctx.json(), zone);
    assertUnique(zone, fields.pattern, current.id);
    const updated: WorkerRoute = { id: current.id, ...fields };
    state.routes.set(
      zone.id,
      state.routes.list(zone.id).map((r) => (r.id === current.id ? updated : r)),
    );
    return { json: successEnvelope(updated) };
  });

  router.add('DELETE', '/zones/:zone_id/workers/routes/:route_id', async (ctx) => {
    const zone = zoneOf(ctx);
    const route = routeOf(ctx, zone);
    state.routes.set(
      zone.id,
      state.routes.list(zone.id).filter((r) => r.id !== route.id),
    );
    return { json: successEnvelope({ id: route.id }) };
  });
}

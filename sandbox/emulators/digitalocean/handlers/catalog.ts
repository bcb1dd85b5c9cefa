/** `GET /v2/regions` and `GET /v2/sizes`. */
import { REGIONS, SIZES } from '../catalog.js';
import { route, type Route } from '../router.js';
import { listResponse } from './list.js';

export const catalogRoutes = (): Route[] => [
  route('GET', '/v2/regions', async (request) => listResponse('regions', REGIONS, request)),
  route('GET', '/v2/sizes', async (request) => listResponse('sizes', SIZES, request)),
];

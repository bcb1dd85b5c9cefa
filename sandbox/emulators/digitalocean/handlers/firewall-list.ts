/**
 * `GET /v2/firewalls`, read-only and always empty: what `dynia doctor` asks to prove the token may use
 * firewalls. The full firewall emulation (issue 15) replaces this file.
 */
import { route, type Route } from '../router.js';
import { listResponse } from './list.js';

export const firewallListRoutes = (): Route[] => [route('GET', '/v2/firewalls', async (request) => listResponse('firewalls', [], request))];

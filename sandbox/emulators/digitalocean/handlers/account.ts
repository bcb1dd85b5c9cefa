/** `GET /v2/account`: a fixed, verified team account. */
import { route, type Route } from '../router.js';

/** Creating more droplets than this answers 422, as on a real account. */
export const DROPLET_LIMIT = 25;

const ACCOUNT = {
  droplet_limit: DROPLET_LIMIT,
  floating_ip_limit: 3,
  email: 'sandbox@dynia.test',
  name: 'Dynia Sandbox',
  uuid: '5b4a2b0d6f1e4c3a9e8d7c6b5a4f3e2d1c0b9a88',
  email_verified: true,
  status: 'active',
  status_message: '',
  team: { uuid: '0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6', name: 'Dynia Sandbox' },
};

export const accountRoutes = (): Route[] => [route('GET', '/v2/account', async () => ({ status: 200, body: { account: ACCOUNT } }))];

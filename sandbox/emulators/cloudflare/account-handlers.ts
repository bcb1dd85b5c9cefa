/** `GET /user/tokens/verify` and `GET /accounts`. */
import { successEnvelope } from './envelope.js';
import { paginate, parsePaging } from './pagination.js';
import type { Router } from './router.js';
import type { EmulatorState } from './state.js';

export function registerAccountHandlers(router: Router, state: EmulatorState): void {
  router.add('GET', '/user/tokens/verify', async () => ({
    json: successEnvelope({ id: state.tokenId, status: 'active' }, undefined, [
      { code: 10000, message: 'This API Token is valid and active' },
    ]),
  }));

  router.add('GET', '/accounts', async ({ query }) => {
    const name = query.get('name');
    const accounts = [state.account].filter((a) => name === null || a.name.toLowerCase() === name.toLowerCase());
    const { items, info } = paginate(accounts, parsePaging(query, { defaultPerPage: 20, minPerPage: 5, maxPerPage: 50 }));
    const views = items.map((a) => ({
      id: a.id,
      name: a.name,
      type: 'standard',
      settings: { enforce_twofactor: false, use_account_custom_ns_by_default: false },
      created_on: a.createdOn,
    }));
    return { json: successEnvelope(views, info) };
  });
}

/** `GET /zones` (filters `name`, `status`, `account.id`, `account.name`; paginated) and `GET /zones/:zone_id`. */
import { successEnvelope } from './envelope.js';
import { paginate, parsePaging } from './pagination.js';
import type { Router } from './router.js';
import { findZone, type EmulatorState } from './state.js';
import type { Zone } from './dns-store.js';

function zoneView(zone: Zone, state: EmulatorState) {
  const { account, startedOn } = state;
  return {
    id: zone.id,
    name: zone.name,
    status: 'active',
    paused: false,
    type: 'full',
    development_mode: 0,
    name_servers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
    original_name_servers: null,
    original_registrar: null,
    original_dnshost: null,
    modified_on: startedOn,
    created_on: startedOn,
    activated_on: startedOn,
    meta: { step: 2, custom_certificate_quota: 0, page_rule_quota: 3, phishing_detected: false },
    owner: { id: account.id, type: 'organization', name: account.name },
    account: { id: account.id, name: account.name },
    permissions: ['#dns_records:edit', '#dns_records:read', '#worker:edit', '#worker:read', '#zone:read'],
    plan: {
      id: '0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
      name: 'Free Website',
      price: 0,
      currency: 'USD',
      frequency: '',
      is_subscribed: false,
      can_subscribe: false,
      legacy_id: 'free',
      legacy_discount: false,
      externally_managed: false,
    },
  };
}

export function registerZoneHandlers(router: Router, state: EmulatorState): void {
  router.add('GET', '/zones', async ({ query }) => {
    const equalsParam = (param: string, value: string) => {
      const wanted = query.get(param);
      return wanted === null || wanted.toLowerCase() === value.toLowerCase();
    };
    const zones = state.zones.filter(
      (z) =>
        equalsParam('name', z.name) &&
        equalsParam('status', 'active') &&
        equalsParam('account.id', state.account.id) &&
        equalsParam('account.name', state.account.name),
    );
    const { items, info } = paginate(zones, parsePaging(query, { defaultPerPage: 20, minPerPage: 5, maxPerPage: 50 }));
    return {
      json: successEnvelope(
        items.map((z) => zoneView(z, state)),
        info,
      ),
    };
  });

  router.add('GET', '/zones/:zone_id', async ({ params, fullPath }) => ({
    json: successEnvelope(zoneView(findZone(state, params.zone_id!, fullPath), state)),
  }));
}

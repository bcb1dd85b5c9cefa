/** `/v2/firewalls`: list, create, get, update, delete; droplets, tags and rules added and removed; and
 *  `/v2/droplets/{id}/firewalls`. Every change is enforced by the packet filter before the answer. */
import { notFound } from '../api-error.js';
import type { DropletStore } from '../droplet-store.js';
import type { FirewallEnforcer } from '../firewall-enforcer.js';
import { parseDropletIdsBody, parseFirewallSpec, parseRulesBody, parseTagsBody } from '../firewall-request.js';
import { addRules, removeRules, type FirewallRecord, type FirewallStore } from '../firewall-store.js';
import { route, type ApiRequest, type Route } from '../router.js';
import { listResponse } from './list.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The API's view; a just-created firewall is `waiting` with one pending change per droplet. */
export function renderFirewall(f: FirewallRecord, pending = false) {
  return {
    id: f.id,
    name: f.name,
    status: pending ? 'waiting' : f.status,
    created_at: f.createdAt,
    pending_changes: pending ? f.droplet_ids.map((id) => ({ droplet_id: id, removing: false, status: 'waiting' })) : [],
    inbound_rules: f.inbound_rules,
    outbound_rules: f.outbound_rules,
    droplet_ids: f.droplet_ids,
    tags: f.tags,
  };
}

export function firewallRoutes(firewalls: FirewallStore, droplets: DropletStore, enforcer: FirewallEnforcer): Route[] {
  const find = (request: ApiRequest): FirewallRecord => {
    const id = request.params.id!;
    const record = UUID.test(id) ? firewalls.get(id) : undefined;
    if (!record) throw notFound();
    return record;
  };
  /** Edits a firewall, enforces it, answers 204. */
  const edit = async (request: ApiRequest, change: (record: FirewallRecord, body: unknown) => void) => {
    const record = find(request);
    const body = await request.json();
    firewalls.change(record.id, (r) => change(r, body));
    await enforcer.sync();
    return { status: 204 };
  };

  return [
    route('GET', '/v2/firewalls', async (request) =>
      listResponse(
        'firewalls',
        firewalls.list().map((f) => renderFirewall(f)),
        request,
      ),
    ),

    route('POST', '/v2/firewalls', async (request) => {
      const record = firewalls.create(parseFirewallSpec(await request.json()));
      const body = { firewall: renderFirewall(record, true) };
      await enforcer.sync();
      return { status: 202, body };
    }),

    route('GET', '/v2/firewalls/:id', async (request) => ({ status: 200, body: { firewall: renderFirewall(find(request)) } })),

    route('PUT', '/v2/firewalls/:id', async (request) => {
      const record = find(request);
      firewalls.replace(record.id, parseFirewallSpec(await request.json()));
      await enforcer.sync();
      return { status: 200, body: { firewall: renderFirewall(record) } };
    }),

    route('DELETE', '/v2/firewalls/:id', async (request) => {
      firewalls.delete(find(request).id);
      await enforcer.sync();
      return { status: 204 };
    }),

    route('POST', '/v2/firewalls/:id/droplets', (request) =>
      edit(request, (r, body) => (r.droplet_ids = [...new Set([...r.droplet_ids, ...parseDropletIdsBody(body)])])),
    ),
    route('DELETE', '/v2/firewalls/:id/droplets', (request) =>
      edit(request, (r, body) => {
        const gone = parseDropletIdsBody(body);
        r.droplet_ids = r.droplet_ids.filter((id) => !gone.includes(id));
      }),
    ),
    route('POST', '/v2/firewalls/:id/tags', (request) =>
      edit(request, (r, body) => (r.tags = [...new Set([...r.tags, ...parseTagsBody(body)])])),
    ),
    route('DELETE', '/v2/firewalls/:id/tags', (request) =>
      edit(request, (r, body) => {
        const gone = parseTagsBody(body);
        r.tags = r.tags.filter((t) => !gone.includes(t));
      }),
    ),
    route('POST', '/v2/firewalls/:id/rules', (request) =>
      edit(request, (r, body) => {
        const { inbound_rules, outbound_rules } = parseRulesBody(body);
        r.inbound_rules = addRules(r.inbound_rules, inbound_rules);
        r.outbound_rules = addRules(r.outbound_rules, outbound_rules);
      }),
    ),
    route('DELETE', '/v2/firewalls/:id/rules', (request) =>
      edit(request, (r, body) => {
        const { inbound_rules, outbound_rules } = parseRulesBody(body);
        r.inbound_rules = removeRules(r.inbound_rules, inbound_rules);
        r.outbound_rules = removeRules(r.outbound_rules, outbound_rules);
      }),
    ),

    route('GET', '/v2/droplets/:id/firewalls', async (request) => {
      const id = /^\d+$/.test(request.params.id!) ? Number(request.params.id) : NaN;
      const droplet = await droplets.get(id);
      if (!droplet) throw notFound();
      const covering = firewalls.list().filter((f) => f.droplet_ids.includes(id) || droplet.tags.some((t) => f.tags.includes(t)));
      return listResponse(
        'firewalls',
        covering.map((f) => renderFirewall(f)),
        request,
      );
    }),
  ];
}

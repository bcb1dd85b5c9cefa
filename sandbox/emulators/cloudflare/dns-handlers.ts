/** `/zones/:zone_id/dns_records` list/create and `/zones/:zone_id/dns_records/:id` get/put/patch/delete. */
import { cfError, couldNotRoute, successEnvelope } from './envelope.js';
import { isIdentifier } from './ids.js';
import { paginate, parsePaging } from './pagination.js';
import { parseRecordFields } from './dns-record-input.js';
import { recordView, type DnsRecord, type Zone } from './dns-store.js';
import type { RouteContext, Router } from './router.js';
import { findZone, type EmulatorState } from './state.js';

const ORDER_FIELDS = ['type', 'name', 'content', 'ttl', 'proxied'] as const;

function matchesFilters(record: DnsRecord, query: URLSearchParams): boolean {
  const name = query.get('name.exact') ?? query.get('name');
  const content = query.get('content.exact') ?? query.get('content');
  const type = query.get('type');
  const proxied = query.get('proxied');
  return (
    (name === null || record.name === name.toLowerCase().replace(/\.$/, '')) &&
    (content === null || record.content.toLowerCase() === content.toLowerCase()) &&
    (type === null || record.type === type.toUpperCase()) &&
    (proxied === null || String(record.proxied) === proxied)
  );
}

function ordered(records: DnsRecord[], query: URLSearchParams): DnsRecord[] {
  const order = query.get('order') as (typeof ORDER_FIELDS)[number] | null;
  if (order === null || !ORDER_FIELDS.includes(order)) return records;
  const sign = query.get('direction') === 'desc' ? -1 : 1;
  return [...records].sort((a, b) => sign * String(a[order]).localeCompare(String(b[order]), 'en', { numeric: true }));
}

export function registerDnsHandlers(router: Router, state: EmulatorState): void {
  const zoneOf = (ctx: RouteContext): Zone => findZone(state, ctx.params.zone_id!, ctx.fullPath);
  const recordOf = (ctx: RouteContext, zone: Zone): DnsRecord => {
    const id = ctx.params.dns_record_id!;
    if (!isIdentifier(id)) throw couldNotRoute(ctx.fullPath);
    const record = state.dns.get(zone.id, id);
    if (!record) throw cfError(404, 81044, 'Record does not exist.');
    return record;
  };

  router.add('GET', '/zones/:zone_id/dns_records', async (ctx) => {
    const zone = zoneOf(ctx);
    const matching = state.dns.list(zone.id).filter((r) => matchesFilters(r, ctx.query));
    const paging = parsePaging(ctx.query, { defaultPerPage: 100, minPerPage: 1, maxPerPage: 5_000_000 });
    const { items, info } = paginate(ordered(matching, ctx.query), paging);
    return { json: successEnvelope(items.map(recordView), info) };
  });

  router.add('POST', '/zones/:zone_id/dns_records', async (ctx) => {
    const zone = zoneOf(ctx);
    const record = state.dns.create(zone, parseRecordFields(await ctx.json(), zone.name));
    return { json: successEnvelope(recordView(record)) };
  });

  router.add('GET', '/zones/:zone_id/dns_records/:dns_record_id', async (ctx) => {
    const zone = zoneOf(ctx);
    return { json: successEnvelope(recordView(recordOf(ctx, zone))) };
  });

  router.add('PUT', '/zones/:zone_id/dns_records/:dns_record_id', async (ctx) => {
    const zone = zoneOf(ctx);
    const current = recordOf(ctx, zone);
    const updated = state.dns.replace(zone, current, parseRecordFields(await ctx.json(), zone.name));
    return { json: successEnvelope(recordView(updated)) };
  });

  router.add('PATCH', '/zones/:zone_id/dns_records/:dns_record_id', async (ctx) => {
    const zone = zoneOf(ctx);
    const current = recordOf(ctx, zone);
    const updated = state.dns.replace(zone, current, parseRecordFields(await ctx.json(), zone.name, current));
    return { json: successEnvelope(recordView(updated)) };
  });

  router.add('DELETE', '/zones/:zone_id/dns_records/:dns_record_id', async (ctx) => {
    const zone = zoneOf(ctx);
    const record = recordOf(ctx, zone);
    state.dns.remove(zone, record.id);
    return { json: successEnvelope({ id: record.id }) };
  });
}

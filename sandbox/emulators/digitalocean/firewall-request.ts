/** Validation of `/v2/firewalls` bodies (create, update, rules, droplets, tags), with the API's 400 answers. */
import { isIP } from 'node:net';
import { badRequest } from './api-error.js';

export interface RuleTarget {
  addresses?: string[];
  droplet_ids?: number[];
  load_balancer_uids?: string[];
  kubernetes_ids?: string[];
  tags?: string[];
}
export interface InboundRule {
  protocol: 'tcp' | 'udp' | 'icmp';
  ports: string;
  sources: RuleTarget;
}
export interface OutboundRule {
  protocol: 'tcp' | 'udp' | 'icmp';
  ports: string;
  destinations: RuleTarget;
}
export interface FirewallSpec {
  name: string;
  inbound_rules: InboundRule[];
  outbound_rules: OutboundRule[];
  droplet_ids: number[];
  tags: string[];
}

/** The contract's name pattern. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9.-]+$/;
const TAG = /^[a-zA-Z0-9_:-]{1,255}$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function object(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw badRequest('The request body must be a JSON object.');
  return body;
}

function list<T>(raw: unknown, field: string, valid: (v: unknown) => v is T): T[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || !raw.every(valid)) throw badRequest(`${field} is invalid.`);
  return [...new Set(raw)];
}

const isDropletId = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isTag = (v: unknown): v is string => typeof v === 'string' && TAG.test(v);
const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isAddress = (v: unknown): v is string => {
  if (typeof v !== 'string') return false;
  const [address = '', prefix, extra] = v.split('/');
  const family = isIP(address);
  return (
    family !== 0 &&
    extra === undefined &&
    (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32)))
  );
};

/** "22", "8000-9000", or "0"/"all" (all ports, answered as "0"); ICMP has no ports ("0"). */
function ports(protocol: string, raw: unknown, at: string): string {
  if (protocol === 'icmp') return '0';
  if (raw === 'all' || raw === '0') return '0';
  const match = typeof raw === 'string' ? /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(raw) : null;
  const [low, high] = match ? [Number(match[1]), Number(match[2] ?? match[1])] : [0, 0];
  if (!match || low < 1 || high > 65535 || low > high) throw badRequest(`${at}.ports must be a port, a range like 8000-9000, or "all".`);
  return raw as string;
}

function target(raw: unknown, at: string): RuleTarget {
  if (!isObject(raw)) throw badRequest(`${at} is required.`);
  const t: RuleTarget = {};
  const addresses = list(raw.addresses, `${at}.addresses`, isAddress);
  const dropletIds = list(raw.droplet_ids, `${at}.droplet_ids`, isDropletId);
  const lbs = list(raw.load_balancer_uids, `${at}.load_balancer_uids`, isString);
  const k8s = list(raw.kubernetes_ids, `${at}.kubernetes_ids`, isString);
  const tags = list(raw.tags, `${at}.tags`, isTag);
  if (addresses.length) t.addresses = addresses;
  if (dropletIds.length) t.droplet_ids = dropletIds;
  if (lbs.length) t.load_balancer_uids = lbs;
  if (k8s.length) t.kubernetes_ids = k8s;
  if (tags.length) t.tags = tags;
  if (Object.keys(t).length === 0) throw badRequest(`${at} must name at least one address, droplet, load balancer, cluster or tag.`);
  return t;
}

function rules<K extends 'sources' | 'destinations'>(raw: unknown, field: string, key: K) {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badRequest(`${field} must be an array.`);
  return raw.map((rule, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(rule)) throw badRequest(`${at} must be an object.`);
    const protocol = rule.protocol;
    if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'icmp') throw badRequest(`${at}.protocol must be tcp, udp or icmp.`);
    return { protocol, ports: ports(protocol, rule.ports, at), [key]: target(rule[key], `${at}.${key}`) } as {
      protocol: typeof protocol;
      ports: string;
    } & Record<K, RuleTarget>;
  });
}

/** The body of `POST /v2/firewalls` and `PUT /v2/firewalls/{id}` (a full representation). */
export function parseFirewallSpec(body: unknown): FirewallSpec {
  const b = object(body);
  if (typeof b.name !== 'string' || !NAME.test(b.name)) {
    throw badRequest('name must begin with an alphanumeric character, followed by alphanumerics, periods or dashes.');
  }
  const inbound = rules(b.inbound_rules, 'inbound_rules', 'sources');
  const outbound = rules(b.outbound_rules, 'outbound_rules', 'destinations');
  if (b.inbound_rules === undefined && b.outbound_rules === undefined)
    throw badRequest('at least one of inbound_rules or outbound_rules is required.');
  return {
    name: b.name,
    inbound_rules: inbound,
    outbound_rules: outbound,
    droplet_ids: list(b.droplet_ids, 'droplet_ids', isDropletId),
    tags: list(b.tags, 'tags', isTag),
  };
}

export function parseRulesBody(body: unknown): Pick<FirewallSpec, 'inbound_rules' | 'outbound_rules'> {
  const b = object(body);
  if (b.inbound_rules === undefined && b.outbound_rules === undefined)
    throw badRequest('at least one of inbound_rules or outbound_rules is required.');
  return {
    inbound_rules: rules(b.inbound_rules, 'inbound_rules', 'sources'),
    outbound_rules: rules(b.outbound_rules, 'outbound_rules', 'destinations'),
  };
}

export function parseDropletIdsBody(body: unknown): number[] {
  const b = object(body);
  const ids = list(b.droplet_ids, 'droplet_ids', isDropletId);
  if (ids.length === 0) throw badRequest('droplet_ids is required.');
  return ids;
}

export function parseTagsBody(body: unknown): string[] {
  const b = object(body);
  const tags = list(b.tags, 'tags', isTag);
  if (tags.length === 0) throw badRequest('tags is required.');
  return tags;
}

/** Rules are equal when their JSON is (the parsers above produce one canonical form). */
export const sameRule = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

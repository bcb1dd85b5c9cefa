/** `/accounts/:account_id/storage/kv/namespaces[...]`: namespaces, values, keys and bulk, with Cloudflare's shapes. */
import { cfError, successEnvelope } from './envelope.js';
import { namespaceView } from './kv-namespaces.js';
import { paginate, parsePaging } from './pagination.js';
import type { RouteContext, Router } from './router.js';
import { assertOwnAccount, type EmulatorState } from './state.js';

const BASE = '/accounts/:account_id/storage/kv/namespaces';
const MAX_KEY_BYTES = 512;
const MIN_EXPIRATION_TTL = 60;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function titleOf(body: unknown): string {
  if (!isObject(body) || typeof body.title !== 'string' || body.title.trim() === '') throw cfError(400, 10019, 'title is required');
  return body.title;
}

function checkKey(key: string): string {
  if (key === '' || key === '.' || key === '..') throw cfError(400, 10019, `Illegal key name "${key}"`);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw cfError(414, 10033, `UTF-8 encoded length of key exceeds ${MAX_KEY_BYTES}`);
  return key;
}

/** `expiration` (absolute, seconds) or `expiration_ttl` (seconds from now, at least 60), as query or JSON fields. */
function expirationOf(expiration: unknown, ttl: unknown, nowSeconds: number): number | undefined {
  if (expiration !== undefined && expiration !== null && expiration !== '') {
    const value = Number(expiration);
    if (!Number.isFinite(value) || value < nowSeconds + MIN_EXPIRATION_TTL)
      throw cfError(400, 10019, `Invalid expiration of ${String(expiration)}`);
    return Math.floor(value);
  }
  if (ttl !== undefined && ttl !== null && ttl !== '') {
    const value = Number(ttl);
    if (!Number.isFinite(value) || value < MIN_EXPIRATION_TTL)
      throw cfError(400, 10019, `Invalid expiration_ttl of ${String(ttl)}: at least ${MIN_EXPIRATION_TTL}`);
    return Math.floor(nowSeconds + value);
  }
  return undefined;
}

/** A value PUT is the raw body, or multipart with `value` and `metadata` (JSON) parts. */
async function valueAndMetadata(ctx: RouteContext): Promise<{ value: Uint8Array; metadata?: unknown }> {
  const raw = await ctx.raw();
  const contentType = String(ctx.headers['content-type'] ?? '');
  if (!/^multipart\/form-data/i.test(contentType)) return { value: new Uint8Array(raw) };
  const form = await new Request('http://kv.invalid/', {
    method: 'PUT',
    headers: { 'content-type': contentType },
    body: new Uint8Array(raw),
  }).formData();
  const value = form.get('value');
  if (value === null) throw cfError(400, 10019, 'The multipart body has no "value" part.');
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(await value.arrayBuffer());
  const metadataPart = form.get('metadata');
  if (metadataPart === null) return { value: bytes };
  try {
    return { value: bytes, metadata: JSON.parse(typeof metadataPart === 'string' ? metadataPart : await metadataPart.text()) };
  } catch {
    throw cfError(400, 10019, 'metadata must be JSON.');
  }
}

export function registerKvHandlers(router: Router, state: EmulatorState): void {
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const namespaceOf = (ctx: RouteContext) => {
    assertOwnAccount(state, ctx.params.account_id!, ctx.fullPath);
    return state.kv.get(ctx.params.namespace_id!);
  };

  router.add('GET', BASE, async (ctx) => {
    assertOwnAccount(state, ctx.params.account_id!, ctx.fullPath);
    const order = ctx.query.get('order') === 'title' ? 'title' : 'id';
    const sorted = [...state.kv.list()].sort((a, b) => a[order].localeCompare(b[order]));
    if (ctx.query.get('direction') === 'desc') sorted.reverse();
    const { items, info } = paginate(
      sorted.map(namespaceView),
      parsePaging(ctx.query, { defaultPerPage: 20, minPerPage: 5, maxPerPage: 100 }),
    );
    return { json: successEnvelope(items, info) };
  });

  router.add('POST', BASE, async (ctx) => {
    assertOwnAccount(state, ctx.params.account_id!, ctx.fullPath);
    return { json: successEnvelope(namespaceView(state.kv.create(titleOf(await ctx.json())))) };
  });

  router.add('GET', `${BASE}/:namespace_id`, async (ctx) => ({ json: successEnvelope(namespaceView(namespaceOf(ctx))) }));

  router.add('PUT', `${BASE}/:namespace_id`, async (ctx) => {
    const ns = namespaceOf(ctx);
    state.kv.rename(ns.id, titleOf(await ctx.json()));
    return { json: successEnvelope({}) };
  });

  router.add('DELETE', `${BASE}/:namespace_id`, async (ctx) => {
    const ns = namespaceOf(ctx);
    state.kv.remove(ns.id);
    await state.kvStore.clear(ns.id);
    return { json: successEnvelope({}) };
  });

  router.add('GET', `${BASE}/:namespace_id/values/:key_name`, async (ctx) => {
    const ns = namespaceOf(ctx);
    const entry = await state.kvStore.get(ns.id, checkKey(ctx.params.key_name!));
    if (!entry) throw cfError(404, 10009, "get: 'key not found'");
    return { bytes: entry.value, contentType: 'application/octet-stream' };
  });

  router.add('PUT', `${BASE}/:namespace_id/values/:key_name`, async (ctx) => {
    const ns = namespaceOf(ctx);
    const key = checkKey(ctx.params.key_name!);
    const expiration = expirationOf(ctx.query.get('expiration') ?? undefined, ctx.query.get('expiration_ttl') ?? undefined, nowSeconds());
    const { value, metadata } = await valueAndMetadata(ctx);
    await state.kvStore.put(ns.id, key, {
      value,
      ...(expiration !== undefined ? { expiration } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
    });
    return { json: successEnvelope({}) };
  });

  router.add('DELETE', `${BASE}/:namespace_id/values/:key_name`, async (ctx) => {
    const ns = namespaceOf(ctx);
    await state.kvStore.delete(ns.id, checkKey(ctx.params.key_name!));
    return { json: successEnvelope({}) };
  });

  router.add('GET', `${BASE}/:namespace_id/keys`, async (ctx) => {
    const ns = namespaceOf(ctx);
    const limitRaw = ctx.query.get('limit');
    const limit = limitRaw === null ? 1000 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 10 || limit > 1000) throw cfError(400, 10019, 'limit must be an integer between 10 and 1000');
    const prefix = ctx.query.get('prefix') ?? undefined;
    const cursor = ctx.query.get('cursor') || undefined;
    const page = await state.kvStore.list(ns.id, { limit, ...(prefix ? { prefix } : {}), ...(cursor ? { cursor } : {}) });
    return { json: { ...successEnvelope(page.keys), result_info: { count: page.keys.length, cursor: page.cursor ?? '' } } };
  });

  router.add('PUT', `${BASE}/:namespace_id/bulk`, async (ctx) => {
    const ns = namespaceOf(ctx);
    const body = await ctx.json();
    if (!Array.isArray(body)) throw cfError(400, 10019, 'The body must be an array of {key, value} objects.');
    const entries = body.map((item, i) => {
      if (!isObject(item) || typeof item.key !== 'string' || typeof item.value !== 'string')
        throw cfError(400, 10019, `Entry ${i}: key and value must be strings.`);
      const value = item.base64 === true ? new Uint8Array(Buffer.from(item.value, 'base64')) : new TextEncoder().encode(item.value);
      const expiration = expirationOf(item.expiration, item.expiration_ttl, nowSeconds());
      return {
        key: checkKey(item.key),
        entry: {
          value,
          ...(expiration !== undefined ? { expiration } : {}),
          ...(item.metadata !== undefined ? { metadata: item.metadata } : {}),
        },
      };
    });
    for (const { key, entry } of entries) await state.kvStore.put(ns.id, key, entry);
    return { json: successEnvelope({ successful_key_count: entries.length, unsuccessful_keys: [] }) };
  });

  router.add('DELETE', `${BASE}/:namespace_id/bulk`, async (ctx) => {
    const ns = namespaceOf(ctx);
    const body = await ctx.json();
    if (!Array.isArray(body) || !body.every((k) => typeof k === 'string'))
      throw cfError(400, 10019, 'The body must be an array of key names.');
    for (const key of body as string[]) await state.kvStore.delete(ns.id, checkKey(key));
    return { json: successEnvelope({ successful_key_count: body.length, unsuccessful_keys: [] }) };
  });
}

/**
 * The Cloudflare emulator's KV values in Miniflare's own KV storage (`kvDir`), the same storage the Workers'
 * KV bindings use (their Miniflare instances get the same `kvPersist`), so a value the API writes is the value
 * the Worker reads, and back. One small workerd per namespace, started on first use.
 */
import { Miniflare } from 'miniflare';
import type { KvEntry, KvStore } from '../emulators/ports.js';

/** The KVNamespace methods used here (Miniflare's own types need @cloudflare/workers-types). */
interface Namespace {
  getWithMetadata(key: string, options: { type: 'arrayBuffer' }): Promise<{ value: ArrayBuffer | null; metadata: unknown }>;
  put(key: string, value: Uint8Array, options: { expiration?: number; metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options: { limit?: number; prefix?: string | null; cursor?: string | null }): Promise<{
    keys: Array<{ name: string; expiration?: number; metadata?: unknown }>;
    list_complete: boolean;
    cursor?: string;
  }>;
}

export class MiniflareKvStore implements KvStore {
  private readonly open = new Map<string, { mf: Miniflare; ns: Promise<Namespace> }>();

  constructor(private readonly kvDir: string) {}

  async get(namespaceId: string, key: string): Promise<KvEntry | null> {
    const result = await (await this.ns(namespaceId)).getWithMetadata(key, { type: 'arrayBuffer' });
    if (result.value === null) return null;
    return { value: new Uint8Array(result.value), ...(result.metadata !== null ? { metadata: result.metadata } : {}) };
  }

  async put(namespaceId: string, key: string, entry: KvEntry): Promise<void> {
    await (await this.ns(namespaceId)).put(key, entry.value, {
      ...(entry.expiration !== undefined ? { expiration: entry.expiration } : {}),
      ...(entry.metadata !== undefined ? { metadata: entry.metadata } : {}),
    });
  }

  async delete(namespaceId: string, key: string): Promise<void> {
    await (await this.ns(namespaceId)).delete(key);
  }

  async list(namespaceId: string, options: { prefix?: string; limit: number; cursor?: string }) {
    const page = await (await this.ns(namespaceId)).list({
      limit: options.limit,
      prefix: options.prefix ?? null,
      cursor: options.cursor ?? null,
    });
    const keys = page.keys.map((k) => ({
      name: k.name,
      ...(k.expiration !== undefined ? { expiration: k.expiration } : {}),
      ...(k.metadata !== undefined ? { metadata: k.metadata } : {}),
    }));
    return page.list_complete ? { keys } : { keys, cursor: page.cursor };
  }

  async clear(namespaceId: string): Promise<void> {
    const ns = await this.ns(namespaceId);
    for (let cursor: string | undefined; ; ) {
      const page = await ns.list({ cursor: cursor ?? null });
      await Promise.all(page.keys.map((k) => ns.delete(k.name)));
      if (page.list_complete) return;
      cursor = page.cursor;
    }
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map(({ mf }) => mf.dispose().catch(() => undefined)));
  }

  private ns(namespaceId: string): Promise<Namespace> {
    let entry = this.open.get(namespaceId);
    if (!entry) {
      const mf = new Miniflare({
        modules: true,
        script: 'export default { fetch() { return new Response(null, { status: 404 }); } };',
        kvNamespaces: { NS: namespaceId },
        kvPersist: this.kvDir,
        cf: false,
      });
      entry = { mf, ns: mf.getKVNamespace('NS') as unknown as Promise<Namespace> };
      this.open.set(namespaceId, entry);
    }
    return entry.ns;
  }
}

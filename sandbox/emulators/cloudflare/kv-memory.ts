/** An in-memory KvStore: the emulator's default (tests, contract checks); the sandbox passes miniflare's KV instead. */
import type { KvEntry, KvStore } from '../ports.js';

export class MemoryKvStore implements KvStore {
  private readonly namespaces = new Map<string, Map<string, KvEntry>>();

  constructor(private readonly nowSeconds: () => number = () => Date.now() / 1000) {}

  async get(namespaceId: string, key: string): Promise<KvEntry | null> {
    const entry = this.live(namespaceId).get(key);
    return entry ?? null;
  }

  async put(namespaceId: string, key: string, entry: KvEntry): Promise<void> {
    this.space(namespaceId).set(key, entry);
  }

  async delete(namespaceId: string, key: string): Promise<void> {
    this.space(namespaceId).delete(key);
  }

  async list(namespaceId: string, options: { prefix?: string; limit: number; cursor?: string }) {
    const names = [...this.live(namespaceId).keys()].filter((k) => k.startsWith(options.prefix ?? '')).sort();
    const start = options.cursor ? Number(Buffer.from(options.cursor, 'base64url').toString()) : 0;
    const page = names.slice(start, start + options.limit);
    const space = this.live(namespaceId);
    const keys = page.map((name) => {
      const { expiration, metadata } = space.get(name)!;
      return { name, ...(expiration !== undefined ? { expiration } : {}), ...(metadata !== undefined ? { metadata } : {}) };
    });
    const next = start + page.length;
    return next < names.length ? { keys, cursor: Buffer.from(String(next)).toString('base64url') } : { keys };
  }

  async clear(namespaceId: string): Promise<void> {
    this.namespaces.delete(namespaceId);
  }

  private space(namespaceId: string): Map<string, KvEntry> {
    let space = this.namespaces.get(namespaceId);
    if (!space) this.namespaces.set(namespaceId, (space = new Map()));
    return space;
  }

  /** The namespace without expired keys (they are dropped on the way). */
  private live(namespaceId: string): Map<string, KvEntry> {
    const space = this.space(namespaceId);
    const now = this.nowSeconds();
    for (const [key, entry] of space) if (entry.expiration !== undefined && entry.expiration <= now) space.delete(key);
    return space;
  }
}

/** The account's Workers KV namespaces (ids and titles; values live in a KvStore), optionally kept in a file. */
import { cfError } from './envelope.js';
import { newIdentifier } from './ids.js';

export interface KvNamespace {
  id: string;
  title: string;
}

export interface KvNamespacePersistence {
  load(): KvNamespace[];
  save(namespaces: KvNamespace[]): void;
}

export const namespaceNotFound = () => cfError(404, 10013, "get namespace: 'namespace not found'");

export class KvNamespaces {
  private readonly byId = new Map<string, KvNamespace>();

  constructor(private readonly persistence?: KvNamespacePersistence) {
    for (const ns of persistence?.load() ?? []) this.byId.set(ns.id, ns);
  }

  list(): KvNamespace[] {
    return [...this.byId.values()];
  }

  get(id: string): KvNamespace {
    const ns = this.byId.get(id);
    if (!ns) throw namespaceNotFound();
    return ns;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  create(title: string): KvNamespace {
    this.assertFreeTitle(title);
    const ns = { id: newIdentifier(), title };
    this.byId.set(ns.id, ns);
    this.save();
    return ns;
  }

  rename(id: string, title: string): void {
    const ns = this.get(id);
    if (ns.title !== title) this.assertFreeTitle(title);
    ns.title = title;
    this.save();
  }

  remove(id: string): void {
    this.get(id);
    this.byId.delete(id);
    this.save();
  }

  private assertFreeTitle(title: string): void {
    if (this.list().some((ns) => ns.title === title))
      throw cfError(400, 10014, 'A namespace with this account ID and title already exists');
  }

  private save(): void {
    this.persistence?.save(this.list());
  }
}

export const namespaceView = (ns: KvNamespace) => ({ id: ns.id, title: ns.title, supports_url_encoding: true });

/** The account's Cloud Firewalls; every change is saved (when persisted) and reported to `onChange`. */
import { randomUUID } from 'node:crypto';
import { isoSeconds } from './droplet-store.js';
import { sameRule, type FirewallSpec } from './firewall-request.js';

export interface FirewallRecord extends FirewallSpec {
  id: string;
  createdAt: string;
  /** `failed` when the packet filter could not be applied. */
  status: 'waiting' | 'succeeded' | 'failed';
}

export interface FirewallPersistence {
  load(): FirewallRecord[];
  save(records: FirewallRecord[]): void;
}

export class FirewallStore {
  private readonly firewalls = new Map<string, FirewallRecord>();

  constructor(private readonly persistence?: FirewallPersistence) {
    for (const record of persistence?.load() ?? []) this.firewalls.set(record.id, record);
  }

  /** Oldest first, as the API lists them. */
  list(): FirewallRecord[] {
    return [...this.firewalls.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  get(id: string): FirewallRecord | undefined {
    return this.firewalls.get(id);
  }

  create(spec: FirewallSpec): FirewallRecord {
    const record: FirewallRecord = { ...spec, id: randomUUID(), createdAt: isoSeconds(), status: 'waiting' };
    this.firewalls.set(record.id, record);
    this.save();
    return record;
  }

  /** Replaces everything but id and creation time. */
  replace(id: string, spec: FirewallSpec): FirewallRecord | undefined {
    const record = this.firewalls.get(id);
    if (!record) return undefined;
    Object.assign(record, spec, { status: 'waiting' });
    this.save();
    return record;
  }

  change(id: string, edit: (record: FirewallRecord) => void): boolean {
    const record = this.firewalls.get(id);
    if (!record) return false;
    edit(record);
    record.status = 'waiting';
    this.save();
    return true;
  }

  delete(id: string): boolean {
    const deleted = this.firewalls.delete(id);
    if (deleted) this.save();
    return deleted;
  }

  /** A deleted droplet leaves every firewall it was assigned to, as in the real API. */
  forgetDroplet(dropletId: number): void {
    let changed = false;
    for (const record of this.firewalls.values()) {
      if (!record.droplet_ids.includes(dropletId)) continue;
      record.droplet_ids = record.droplet_ids.filter((id) => id !== dropletId);
      changed = true;
    }
    if (changed) this.save();
  }

  setStatus(status: FirewallRecord['status']): void {
    for (const record of this.firewalls.values()) record.status = status;
    this.save();
  }

  private save(): void {
    this.persistence?.save(this.list());
  }
}

export const addRules = <T>(current: T[], added: T[]): T[] => [...current, ...added.filter((r) => !current.some((c) => sameRule(c, r)))];
export const removeRules = <T>(current: T[], removed: T[]): T[] => current.filter((c) => !removed.some((r) => sameRule(c, r)));

/** Droplets and their create actions; a droplet turns active once its host reports ready. */
import type { HostDriver } from '../ports.js';
import type { Image, Region, Size } from './catalog.js';

export interface DropletRecord {
  id: number;
  name: string;
  ip: string;
  tags: string[];
  createdAt: string;
  size: Size;
  region: Region;
  image: Image;
  features: string[];
  /** Cached: once true the host is not asked again. */
  active: boolean;
  createActionId?: number;
}

export interface ActionRecord {
  id: number;
  type: 'create';
  status: 'in-progress' | 'completed' | 'errored';
  startedAt: string;
  completedAt: string | null;
  dropletId: number;
  region: Region;
}

/** Real ids are large; starting there keeps clients from relying on small numbers. */
const FIRST_DROPLET_ID = 400_000_001;
const FIRST_ACTION_ID = 2_100_000_001;

export const isoSeconds = (date: Date = new Date()): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class DropletStore {
  private readonly droplets = new Map<number, DropletRecord>();
  private readonly actions = new Map<number, ActionRecord>();
  private nextDropletId = FIRST_DROPLET_ID;
  private nextActionId = FIRST_ACTION_ID;

  constructor(private readonly hosts: HostDriver) {}

  /** Reserves an id before the host exists, so the host can be named after it. */
  allocateId(): number {
    return this.nextDropletId++;
  }

  /** Keeps a droplet (new or adopted); ids allocated later stay above it. */
  add(record: DropletRecord): void {
    this.droplets.set(record.id, record);
    this.nextDropletId = Math.max(this.nextDropletId, record.id + 1);
  }

  startCreateAction(droplet: DropletRecord): ActionRecord {
    const action: ActionRecord = {
      id: this.nextActionId++,
      type: 'create',
      status: 'in-progress',
      startedAt: droplet.createdAt,
      completedAt: null,
      dropletId: droplet.id,
      region: droplet.region,
    };
    this.actions.set(action.id, action);
    droplet.createActionId = action.id;
    return action;
  }

  count(): number {
    return this.droplets.size;
  }

  has(id: number): boolean {
    return this.droplets.has(id);
  }

  async get(id: number): Promise<DropletRecord | undefined> {
    const droplet = this.droplets.get(id);
    if (droplet) await this.refresh(droplet);
    return droplet;
  }

  /** What the packet filter needs, without asking hosts for readiness. */
  addresses(): Array<{ id: number; ip: string; tags: string[] }> {
    return [...this.droplets.values()].filter((d) => d.ip).map((d) => ({ id: d.id, ip: d.ip, tags: d.tags }));
  }

  /** All droplets, oldest first (the API's order). */
  async list(): Promise<DropletRecord[]> {
    const all = [...this.droplets.values()].sort((a, b) => a.id - b.id);
    await Promise.all(all.map((d) => this.refresh(d)));
    return all;
  }

  async action(id: number): Promise<ActionRecord | undefined> {
    const action = this.actions.get(id);
    if (action?.status === 'in-progress') {
      const droplet = this.droplets.get(action.dropletId);
      if (droplet) await this.refresh(droplet);
      // The droplet was deleted before it ever booted.
      else this.finish(action, 'errored');
    }
    return action;
  }

  /** Drops a droplet whose host never came up. */
  forget(id: number): void {
    this.droplets.delete(id);
  }

  /** Removes the host first, so a failed destroy leaves the droplet visible (and retryable). */
  async destroy(id: number): Promise<void> {
    await this.hosts.destroy(id);
    this.droplets.delete(id);
  }

  private async refresh(droplet: DropletRecord): Promise<void> {
    if (droplet.active || !droplet.ip) return;
    // A host that cannot be asked is simply not ready yet.
    const ready = await this.hosts.isReady(droplet.id).catch(() => false);
    if (!ready || droplet.active) return;
    droplet.active = true;
    const action = droplet.createActionId === undefined ? undefined : this.actions.get(droplet.createActionId);
    if (action) this.finish(action, 'completed');
  }

  private finish(action: ActionRecord, status: 'completed' | 'errored'): void {
    action.status = status;
    action.completedAt = isoSeconds();
  }
}

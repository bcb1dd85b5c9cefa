/** An in-memory HostDriver for emulator tests and contract checks: no machines, readiness set by hand. */
import type { DropletHostRecord, HostDriver } from '../ports.js';

type CreateSpec = Parameters<HostDriver['create']>[0];

export interface MemoryHost extends DropletHostRecord {
  ready: boolean;
  authorizedKeys: string[];
  userData?: string;
}

export class MemoryHostDriver implements HostDriver {
  readonly hosts = new Map<number, MemoryHost>();
  /** Every readiness question asked, to check that answers are cached. */
  readyChecks = 0;
  private nextOctet = 10;

  async create(spec: CreateSpec): Promise<{ ip: string }> {
    // TEST-NET-1 (RFC 5737): documentation addresses, never routed anywhere.
    const ip = `192.0.2.${this.nextOctet++}`;
    this.hosts.set(spec.dropletId, {
      dropletId: spec.dropletId,
      name: spec.name,
      ip,
      tags: [...spec.tags],
      createdAt: new Date().toISOString(),
      // The create spec carries no size, region or image; a real driver would report what it runs.
      sizeSlug: 's-1vcpu-1gb',
      region: 'nyc3',
      image: 'ubuntu-24-04-x64',
      ready: false,
      authorizedKeys: [...spec.authorizedKeys],
      ...(spec.userData === undefined ? {} : { userData: spec.userData }),
    });
    return { ip };
  }

  async isReady(dropletId: number): Promise<boolean> {
    this.readyChecks += 1;
    return this.hosts.get(dropletId)?.ready ?? false;
  }

  async destroy(dropletId: number): Promise<void> {
    this.hosts.delete(dropletId);
  }

  async list(): Promise<DropletHostRecord[]> {
    return [...this.hosts.values()].map(({ ready: _ready, authorizedKeys: _keys, userData: _userData, ...listed }) => listed);
  }

  /** Lets the host's sshd "answer", so its droplet turns active on the next look. */
  markReady(dropletId: number): void {
    const host = this.hosts.get(dropletId);
    if (!host) throw new Error(`no host for droplet ${dropletId}`);
    host.ready = true;
  }
}

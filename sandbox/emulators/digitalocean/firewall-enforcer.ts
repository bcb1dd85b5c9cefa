/** Keeps the packet filter in step with firewalls and droplets; applies one change at a time, latest wins. */
import type { HostPolicy, PacketFilter } from '../ports.js';
import { hostPolicies, type PolicyDroplet } from './firewall-policy.js';
import type { FirewallStore } from './firewall-store.js';

export class FirewallEnforcer {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly firewalls: FirewallStore,
    private readonly droplets: () => PolicyDroplet[],
    private readonly filter: PacketFilter,
  ) {}

  /** Resolves once the filter matches the firewalls as they are now; marks them succeeded, or failed. */
  sync(): Promise<void> {
    const next = this.queue.then(async () => {
      try {
        await this.filter.apply(hostPolicies(this.firewalls.list(), this.droplets()));
        this.firewalls.setStatus('succeeded');
      } catch (error) {
        console.error(`digitalocean emulator: packet filter not applied: ${(error as Error).message}`);
        this.firewalls.setStatus('failed');
      }
    });
    this.queue = next;
    return next;
  }
}

/** For emulator tests and the contract check: remembers what it was asked to enforce. */
export class MemoryPacketFilter implements PacketFilter {
  applied: HostPolicy[] = [];
  async apply(policies: HostPolicy[]): Promise<void> {
    this.applied = policies;
  }
}

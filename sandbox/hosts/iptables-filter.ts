/** PacketFilter of the sandbox: this slot's chain on this machine's iptables (see iptables-rules.ts). */
import type { HostPolicy, PacketFilter } from '../emulators/ports.js';
import { run } from '../exec.js';
import { SANDBOX } from '../layout.js';
import { hookRules, renderFilterChain } from './iptables-rules.js';

export class IptablesPacketFilter implements PacketFilter {
  constructor(
    private readonly chain: string = SANDBOX.firewallChain,
    private readonly subnet: string = SANDBOX.subnet,
  ) {}

  async apply(policies: HostPolicy[]): Promise<void> {
    await run('iptables', ['-N', this.chain], { allowFailure: true });
    await run('iptables-restore', ['--noflush'], { input: renderFilterChain(this.chain, policies) });
    // Checked every time: a dockerd restart rebuilds DOCKER-USER without our jump.
    for (const hook of hookRules(this.chain, this.subnet)) {
      if ((await run('iptables', ['-C', ...hook], { allowFailure: true })).code !== 0) await run('iptables', ['-I', ...hook]);
    }
  }
}

/** Removes this slot's hooks and chain (by `sandbox down`); absent parts are fine. */
export async function removePacketFilter(chain: string = SANDBOX.firewallChain, subnet: string = SANDBOX.subnet): Promise<void> {
  for (const hook of hookRules(chain, subnet)) {
    while ((await run('iptables', ['-D', ...hook], { allowFailure: true })).code === 0);
  }
  await run('iptables', ['-F', chain], { allowFailure: true });
  await run('iptables', ['-X', chain], { allowFailure: true });
}

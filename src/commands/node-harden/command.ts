import { validateCidrList } from '../../validate/cidr.js';
import { validateNodeName } from '../../validate/node-name.js';
import { defineCommand, flag, optional, required } from '../../cli/define.js';
import { printJson } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';

const options = {
  name: required('--name <name>', 'node to harden', validateNodeName),
  sshFrom: optional(
    '--ssh-from <cidr,...>',
    'addresses/CIDRs that may reach port 22 (default: as recorded, else anywhere)',
    validateCidrList,
  ),
  yes: flag('-y, --yes', 'allow a --ssh-from that leaves out this machine (locks Dynia out of SSH)', false),
};

export const nodeHardenCommand = defineCommand({
  name: 'node:harden',
  description: 'Put an existing node behind its Cloud Firewall (TCP 22, 80, 443 and ICMP in), optionally narrowing port 22',
  options,
  help: 'New nodes get the firewall from node:create; this is for nodes made before, and for changing --ssh-from.\n\nExample:\n  dynia node:harden --name web-1 --ssh-from 203.0.113.7/32',
  run: runNodeHarden,
});

async function runNodeHarden({ name, sshFrom, yes }: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { withWorkflow } = await import('../../cli/context.js');
  const { describeNodeFirewall } = await import('../../firewall/firewall.js');
  const { nodeHarden } = await import('./workflow.js');
  const result = await withWorkflow('node:harden', globals, (deps) => nodeHarden({ name, yes, ...(sshFrom ? { sshFrom } : {}) }, deps));
  if (globals.json) return printJson(result);
  process.stderr.write(`✓ ${name} is behind ${result.firewall.name}: ${describeNodeFirewall(result.firewall.sshFrom)}\n`);
  if (result.lockedOut) process.stderr.write(`! this machine (${result.callerIp}) can no longer reach ${name} over SSH\n`);
}

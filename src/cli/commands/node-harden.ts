import { validateCidrList } from '../../validate/cidr.js';
import { validateNodeName } from '../../validate/node-name.js';
import { describeNodeFirewall } from '../../workflows/firewall.js';
import { nodeHarden } from '../../workflows/node-harden.js';
import { withWorkflow } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { printJson } from '../output.js';

export async function nodeHardenCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const name = validateNodeName(String(opts.name));
  const sshFrom = opts.sshFrom === undefined ? undefined : validateCidrList(String(opts.sshFrom), '--ssh-from');
  const result = await withWorkflow('node:harden', globals, (deps) =>
    nodeHarden({ name, yes: Boolean(opts.yes), ...(sshFrom ? { sshFrom } : {}) }, deps),
  );
  if (globals.json) return printJson(result);
  process.stderr.write(`✓ ${name} is behind ${result.firewall.name}: ${describeNodeFirewall(result.firewall.sshFrom)}\n`);
  if (result.lockedOut) process.stderr.write(`! this machine (${result.callerIp}) can no longer reach ${name} over SSH\n`);
}

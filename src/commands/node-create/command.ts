import { InputError } from '../../errors.js';
import { validateCidrList } from '../../validate/cidr.js';
import { validateHealthPath } from '../../validate/health-path.js';
import { validateNodeName } from '../../validate/node-name.js';
import { validateSlug } from '../../validate/slug.js';
import { defineCommand, optional, required, withDefault } from '../../cli/define.js';
import { formatMs, printJson } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';

function positiveSeconds(value: string, flag: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw InputError(`${flag} "${value}" is not a positive number of seconds.`, `e.g. ${flag} 120`);
  return seconds;
}

const slug = (example: string) => (value: string, flag: string) => validateSlug(value, flag, example);

// Everything the user typed is checked before any API call.
const options = {
  name: required('--name <name>', 'node name: a DNS label (a-z, 0-9, -), becomes <name>.<domain>', validateNodeName),
  healthPath: withDefault('--health-path <path>', 'path every health check of this node uses', '/', validateHealthPath),
  region: withDefault('--region <slug>', 'DigitalOcean region', 'nyc3', slug('nyc3')),
  size: withDefault('--size <slug>', 'DigitalOcean size', 's-1vcpu-1gb', slug('s-1vcpu-1gb')),
  image: withDefault('--image <slug>', 'DigitalOcean image', 'ubuntu-24-04-x64', slug('ubuntu-24-04-x64')),
  sshKey: optional('--ssh-key <id|fingerprint>', 'DigitalOcean SSH key to install (default: the one matching DYNIA_SSH_KEY)'),
  dnsTimeout: withDefault('--dns-timeout <seconds>', 'how long to wait for DNS propagation', '120', positiveSeconds),
  sshFrom: optional(
    '--ssh-from <cidr,...>',
    'addresses/CIDRs the Cloud Firewall lets reach port 22 (default anywhere; include this machine)',
    validateCidrList,
  ),
};

export const nodeCreateCommand = defineCommand({
  name: 'node:create',
  description: 'Create a droplet, point <name>.<domain> at it, and bring up Caddy (HTTPS) with a placeholder site',
  options,
  help: 'Example:\n  dynia node:create --name web-1 --health-path /healthz',
  run: runNodeCreate,
});

async function runNodeCreate(args: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { withWorkflow } = await import('../../cli/context.js');
  const { nodeCreate } = await import('./workflow.js');
  const { name, healthPath, region, size, image, sshFrom, sshKey, dnsTimeout: dnsTimeoutSeconds } = args;
  const t0 = performance.now();
  const result = await withWorkflow('node:create', globals, (deps) =>
    nodeCreate(
      {
        name,
        healthPath,
        region,
        size,
        image,
        ...(sshFrom ? { sshFrom } : {}),
        ...(sshKey ? { sshKey } : {}),
        dnsTimeoutMs: dnsTimeoutSeconds * 1000,
      },
      deps,
    ).catch(async (error) => {
      const node = deps.tx.state.nodes.find((n) => n.name === name);
      if (node && node.status !== 'active')
        deps.reporter.warn(
          `node ${name} is not finished (done: ${node.stepsDone.join(', ') || 'nothing'}). Re-run the same command to resume, or remove it: dynia node:destroy --name ${name}`,
        );
      throw error;
    }),
  );
  if (globals.json) return printJson({ ...result.node, timings: result.timings, remote: result.remote });
  process.stderr.write(
    `✓ node ${name} is up in ${formatMs(performance.now() - t0)} (${result.remote.commands} remote commands over ${result.remote.connections} SSH connection)\n`,
  );
  process.stdout.write(`https://${result.node.fqdn}/\n`);
}

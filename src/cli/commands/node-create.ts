import { validateHealthPath } from '../../validate/health-path.js';
import { validateNodeName } from '../../validate/node-name.js';
import { validateCidrList } from '../../validate/cidr.js';
import { validateSlug } from '../../validate/slug.js';
import { InputError } from '../../errors.js';
import { nodeCreate } from '../../workflows/node-create.js';
import { withWorkflow } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { formatMs, printJson } from '../output.js';

export async function nodeCreateCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  // Everything the user typed is checked before any API call.
  const name = validateNodeName(String(opts.name));
  const healthPath = validateHealthPath(String(opts.healthPath));
  const dnsTimeoutSeconds = Number(opts.dnsTimeout);
  if (!Number.isFinite(dnsTimeoutSeconds) || dnsTimeoutSeconds <= 0)
    throw InputError(`--dns-timeout "${String(opts.dnsTimeout)}" is not a positive number of seconds.`, 'e.g. --dns-timeout 120');
  const region = validateSlug(String(opts.region), '--region', 'nyc3');
  const size = validateSlug(String(opts.size), '--size', 's-1vcpu-1gb');
  const image = validateSlug(String(opts.image), '--image', 'ubuntu-24-04-x64');
  const sshFrom = opts.sshFrom === undefined ? undefined : validateCidrList(String(opts.sshFrom), '--ssh-from');
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
        ...(opts.sshKey ? { sshKey: String(opts.sshKey) } : {}),
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

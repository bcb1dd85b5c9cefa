import { validateNodeName } from '../../validate/node-name.js';
import { defineCommand, flag, required } from '../../cli/define.js';
import { printJson } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';

const options = {
  name: required('--name <name>', 'node whose key to pin', validateNodeName),
  yes: flag('-y, --yes', 'pin without asking (only when you know why the key changed)', false),
};

export const nodeTrustCommand = defineCommand({
  name: 'node:trust',
  description: 'Pin the SSH host key a node offers now (after its host was rebuilt); shows the fingerprint and asks first',
  options,
  run: runNodeTrust,
});

async function runNodeTrust({ name, yes }: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { withWorkflow } = await import('../../cli/context.js');
  const { alreadyTrusted, describeOffer, offeredHostKey, pinHostKey } = await import('./workflow.js');
  const { hostKeyFingerprint } = await import('../../remote/host-key.js');
  const { confirmOnTerminal } = await import('../../cli/confirm.js');
  const offer = await withWorkflow('node:trust', globals, async (deps) => {
    const offer = await offeredHostKey(name, deps);
    if (alreadyTrusted(offer)) return { ...offer, changed: false };
    deps.reporter.info(describeOffer(offer));
    if (!yes)
      await confirmOnTerminal(`Pin this key for ${name}? Compare the fingerprint with the node's console first. [y/N] `, 'node:trust');
    await pinHostKey(offer, deps);
    return { ...offer, changed: true };
  });
  const fingerprint = hostKeyFingerprint(offer.offered);
  if (globals.json) return printJson({ node: name, fingerprint, changed: offer.changed });
  process.stderr.write(
    offer.changed ? `✓ ${name}: host key ${fingerprint} pinned\n` : `· ${name}: ${fingerprint} is already the pinned key\n`,
  );
}

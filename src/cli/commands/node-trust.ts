import { hostKeyFingerprint } from '../../remote/host-key.js';
import { validateNodeName } from '../../validate/node-name.js';
import { alreadyTrusted, describeOffer, offeredHostKey, pinHostKey } from '../../workflows/node-trust.js';
import { confirmOnTerminal } from '../confirm.js';
import { withWorkflow } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { printJson } from '../output.js';

export async function nodeTrustCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const name = validateNodeName(String(opts.name));
  const offer = await withWorkflow('node:trust', globals, async (deps) => {
    const offer = await offeredHostKey(name, deps);
    if (alreadyTrusted(offer)) return { ...offer, changed: false };
    deps.reporter.info(describeOffer(offer));
    if (!opts.yes)
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

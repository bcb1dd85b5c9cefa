/**
 * `dynia node:trust`: pins the SSH host key a node offers now, after the user confirmed its fingerprint
 * (a node whose host was rebuilt, or whose key was rotated on purpose).
 */
import { InputError } from '../../errors.js';
import { hostKeyFingerprint, sameHostKey } from '../../remote/host-key.js';
import { noSuchNode } from '../../deploy/node-selection.js';
import type { WorkflowDeps } from '../../lib/ports.js';

export interface TrustOffer {
  node: string;
  ip: string;
  pinned?: string;
  offered: string;
}

/** Connects without the pin and returns what the node offers; changes nothing. */
export async function offeredHostKey(name: string, deps: WorkflowDeps): Promise<TrustOffer> {
  const node = deps.tx.state.nodes.find((n) => n.name === name);
  if (!node) throw noSuchNode(deps.tx.state, `--name ${name}`, 'See dynia node:list.');
  if (!node.ip)
    throw InputError(`node ${name} has no IP yet (status ${node.status}).`, `Finish it first: dynia node:create --name ${name}`);
  let offered = '';
  const session = await deps.connect({ ...node, sshHostKey: undefined }, async (key) => void (offered = key));
  await session.close();
  return { node: name, ip: node.ip, ...(node.sshHostKey ? { pinned: node.sshHostKey } : {}), offered };
}

export const alreadyTrusted = (offer: TrustOffer): boolean => offer.pinned !== undefined && sameHostKey(offer.pinned, offer.offered);

export function describeOffer(offer: TrustOffer): string {
  const now = `${offer.node} (${offer.ip}) offers ${hostKeyFingerprint(offer.offered)}`;
  return offer.pinned ? `${now}; state pins ${hostKeyFingerprint(offer.pinned)}` : `${now}; no key pinned yet`;
}

export async function pinHostKey(offer: TrustOffer, deps: WorkflowDeps): Promise<void> {
  await deps.tx.commit((state) => {
    const node = state.nodes.find((n) => n.name === offer.node);
    if (node) node.sshHostKey = offer.offered;
  });
}

import { createHash } from 'node:crypto';

/**
 * Host keys are kept as OpenSSH writes them in known_hosts: `<algorithm> <base64 blob>`.
 * The blob (RFC 4253 §6.6) starts with the algorithm name as a length-prefixed string.
 */
export function formatHostKey(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  const algorithm = blob.subarray(4, 4 + length).toString('ascii');
  return `${algorithm} ${blob.toString('base64')}`;
}

/** `SHA256:<unpadded base64>` of the key blob, as `ssh-keygen -lf` and OpenSSH's prompts show it. */
export function hostKeyFingerprint(hostKey: string): string {
  const base64 = hostKey.trim().split(/\s+/)[1] ?? '';
  return `SHA256:${createHash('sha256').update(Buffer.from(base64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

const hostKeyAlgorithm = (hostKey: string): string => hostKey.trim().split(/\s+/)[0] ?? '';

/** Keys compare by algorithm and blob only (a known_hosts line may carry a comment). */
export const sameHostKey = (a: string, b: string): boolean =>
  a.trim().split(/\s+/).slice(0, 2).join(' ') === b.trim().split(/\s+/).slice(0, 2).join(' ');

/** Host key algorithms that yield a key of this type, so the server offers the pinned key and not another one. */
export function negotiationAlgorithms(hostKey: string): string[] {
  const type = hostKeyAlgorithm(hostKey);
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}

/**
 * `eval "$(dynia sandbox env)"` must add the sandbox's roots to what the shell already trusts, not replace it:
 * a machine whose registry or proxy needs its own CA (NODE_EXTRA_CA_CERTS already set) would otherwise lose
 * it, and `npm install` in that shell fails. So the sandbox writes a combined bundle (that file + its roots)
 * and remembers the base, for a second `eval` in the same shell and for `up` after pebble's roots changed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { files } from './paths.js';

export interface SandboxTrust {
  NODE_EXTRA_CA_CERTS: string;
  /** The file the shell trusted before the sandbox's roots were added to it. */
  DYNIA_SANDBOX_BASE_CA_CERTS?: string;
}

/** The trust exports for a shell with environment `env`; writes the combined bundle when there is a base. */
export function sandboxTrust(env: NodeJS.ProcessEnv = process.env): SandboxTrust {
  const current = env.NODE_EXTRA_CA_CERTS;
  const ours = current === files.caBundle() || current === files.trustBundle();
  const base = ours ? env.DYNIA_SANDBOX_BASE_CA_CERTS : current;
  if (!base || !existsSync(base)) return { NODE_EXTRA_CA_CERTS: files.caBundle() };
  writeFileSync(files.trustBase(), `${base}\n`);
  refreshTrustBundle();
  return { NODE_EXTRA_CA_CERTS: files.trustBundle(), DYNIA_SANDBOX_BASE_CA_CERTS: base };
}

/** Rewrites the combined bundle from its base and the current sandbox roots (no-op when none was asked for). */
export function refreshTrustBundle(): void {
  if (!existsSync(files.trustBase()) || !existsSync(files.caBundle())) return;
  const base = readFileSync(files.trustBase(), 'utf8').trim();
  const baseText = existsSync(base) ? readFileSync(base, 'utf8') : '';
  writeFileSync(files.trustBundle(), `${baseText.trimEnd()}\n${readFileSync(files.caBundle(), 'utf8')}`);
}

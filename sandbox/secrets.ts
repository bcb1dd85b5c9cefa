/** The sandbox's client SSH key and its emulators' API tokens, made once and kept in the sandbox dir. */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { run } from './exec.js';
import { sandboxDir } from './layout.js';
import { files } from './paths.js';

export interface SandboxSecrets {
  digitaloceanToken: string;
  cloudflareToken: string;
}

export function ensureSandboxDir(): void {
  mkdirSync(sandboxDir(), { recursive: true, mode: 0o700 });
}

export async function ensureClientKey(): Promise<void> {
  if (existsSync(files.clientKey()) && existsSync(`${files.clientKey()}.pub`)) return;
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dynia-sandbox', '-f', files.clientKey()], { input: 'y\n' });
}

export const clientPublicKey = (): string => readFileSync(`${files.clientKey()}.pub`, 'utf8').trim();

export function ensureSecrets(): SandboxSecrets {
  if (existsSync(files.secrets())) return readSecrets();
  // Shaped like the real ones: DigitalOcean personal tokens start with dop_v1_; Cloudflare tokens are 40 chars.
  const secrets: SandboxSecrets = {
    digitaloceanToken: `dop_v1_${randomBytes(32).toString('hex')}`,
    cloudflareToken: randomBytes(30).toString('base64url'),
  };
  writeFileSync(files.secrets(), `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(files.secrets(), 0o600);
  return secrets;
}

export function readSecrets(): SandboxSecrets {
  try {
    return JSON.parse(readFileSync(files.secrets(), 'utf8')) as SandboxSecrets;
  } catch {
    throw new Error(`sandbox not set up (no ${files.secrets()}); run \`dynia sandbox up\``);
  }
}

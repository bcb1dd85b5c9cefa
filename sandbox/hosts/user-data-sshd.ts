/**
 * The part of a droplet's cloud-config the sandbox node hosts do apply (pure): sshd settings. The image already
 * has what the rest would install, but SSH hardening must be real, so `write_files` under sshd_config.d and
 * `ssh_pwauth` (which cloud-init writes to 50-cloud-init.conf) become files in the host's sshd_config.d,
 * copied into the container before it starts, with the image's sshd_config (which includes them first).
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { docker } from '../docker.js';
import { sandboxSourceDir } from '../paths.js';

const DROPIN = /^\/etc\/ssh\/sshd_config\.d\/([A-Za-z0-9._-]+\.conf)$/;

export function sshdDropins(userData: string | undefined): Array<{ name: string; content: string }> {
  if (!userData?.startsWith('#cloud-config')) return [];
  let config: unknown;
  try {
    config = parse(userData);
  } catch {
    return []; // cloud-init would skip a config it cannot parse, too
  }
  if (typeof config !== 'object' || config === null) return [];
  const { write_files: files, ssh_pwauth: pwauth } = config as { write_files?: unknown; ssh_pwauth?: unknown };
  const dropins = new Map<string, string>();
  for (const file of Array.isArray(files) ? files : []) {
    const { path, content, encoding } = (file ?? {}) as { path?: unknown; content?: unknown; encoding?: unknown };
    const name = typeof path === 'string' ? DROPIN.exec(path)?.[1] : undefined;
    if (name && typeof content === 'string' && (encoding === undefined || encoding === 'text/plain')) dropins.set(name, content);
  }
  if (typeof pwauth === 'boolean') dropins.set('50-cloud-init.conf', `PasswordAuthentication ${pwauth ? 'yes' : 'no'}\n`);
  return [...dropins].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, content]) => ({ name, content }));
}

/** Into a created, not yet started, node host: /etc/ssh/sshd_config (this tree's, with its Include) and the
 *  drop-ins. Done from here rather than by the image's init, so it holds for every image version in use. */
export async function copySshdConfig(container: string, dropins: Array<{ name: string; content: string }>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dynia-sshd-'));
  try {
    mkdirSync(join(dir, 'sshd_config.d'));
    writeFileSync(join(dir, 'sshd_config'), readFileSync(join(sandboxSourceDir(), 'images', 'node', 'sshd_config')));
    for (const d of dropins) writeFileSync(join(dir, 'sshd_config.d', d.name), d.content, { mode: 0o644 });
    await docker(['cp', `${dir}/.`, `${container}:/etc/ssh/`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

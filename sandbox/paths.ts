/** Where the sandbox keeps its files (under DYNIA_SANDBOX_DIR) and where its own scripts live. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandboxPath } from './layout.js';

export const files = {
  /** API tokens of the emulators (mode 0600). */
  secrets: () => sandboxPath('secrets.json'),
  /** ed25519 client key the DigitalOcean emulator lists as the account's SSH key (DYNIA_SSH_KEY). */
  clientKey: () => sandboxPath('sandbox-key'),
  /** Trust for everything TLS in the sandbox: pebble's root + intermediate + the ACME endpoint's cert. */
  caBundle: () => sandboxPath('ca-bundle.pem'),
  /** The Cloudflare emulator's DNS records (kept across daemon restarts, removed by `down`). */
  cloudflareDns: () => sandboxPath('cloudflare-dns.json'),
  /** NODE_EXTRA_CA_CERTS of a shell that trusted a file already: that file + caBundle (trust-bundle.ts). */
  trustBundle: () => sandboxPath('trust-bundle.pem'),
  /** Path of that file, to rebuild the combined bundle when the sandbox's roots change. */
  trustBase: () => sandboxPath('trust-base'),
  /** The Cloudflare emulator's KV namespaces (ids, titles) and Miniflare's KV storage holding their values. */
  cloudflareKvNamespaces: () => sandboxPath('cloudflare-kv-namespaces.json'),
  workersKv: () => sandboxPath('workers-kv'),
  /** The ACME endpoint's own certificate (what Caddy trusts for the ACME directory). */
  acmeRoot: () => sandboxPath('acme-root.pem'),
  pebbleDir: () => sandboxPath('pebble'),
  /** Hosts files of resolver i (bind-mounted into its dnsmasq, which watches it). */
  resolverDir: (i: number) => sandboxPath('dns', String.fromCharCode(97 + i)),
  registryData: () => sandboxPath('registry', 'data'),
  registrySeeded: () => sandboxPath('registry', 'seeded.json'),
  daemonPid: () => sandboxPath('daemon.pid'),
  daemonLog: () => sandboxPath('daemon.log'),
};

/** The sandbox's source folder (holds scripts/ and images/), from TS sources or from a bundle in dist/. */
export function sandboxSourceDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const candidate of [dir, join(dir, 'sandbox')]) {
      if (existsSync(join(candidate, 'scripts', 'build-images.sh'))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('sandbox scripts not found (expected sandbox/scripts next to the program)');
    dir = parent;
  }
}

export const scriptPath = (name: string): string => join(sandboxSourceDir(), 'scripts', name);

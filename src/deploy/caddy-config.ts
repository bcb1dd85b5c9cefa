/**
 * Changing a node's Caddy config safely: the candidate is uploaded next to the live file, validated by the
 * running Caddy, loaded, and only then moved into place, so the file on disk is never newer than what Caddy
 * runs (a run killed between the two leaves the old file, which the next run's reconcile sees and reloads).
 * An unchanged config is left alone: a reload closes idle keep-alive connections, so Dynia reloads only when
 * the text really changes.
 */
import { caddyReload, caddyValidate } from '../node/caddy/caddy-commands.js';
import type { AcmeSettings } from '../node/caddy/caddyfile.js';
import { IN_CONTAINER, LAYOUT } from '../node/layout.js';
import type { Remote } from '../remote/remote.js';
import type { Settings } from '../lib/ports.js';

/** The Caddyfile's ACME options from the settings (the private CA's root is uploaded into Caddy's directory). */
export function caddyAcme(acme: Settings['acme']): AcmeSettings {
  return { ca: acme.ca, ...(acme.caRootPem ? { caRootPath: IN_CONTAINER.acmeRoot } : {}), ...(acme.email ? { email: acme.email } : {}) };
}

/** `live` is the text known to be on the node (rendered from the state before the change); read when unknown. */
export async function applyCaddyfile(remote: Remote, text: string, live?: string): Promise<'unchanged' | 'reloaded'> {
  if ((live ?? (await remote.readFile(LAYOUT.caddyfile))) === text) return 'unchanged';
  await remote.upload(LAYOUT.caddyfileNext, text);
  await remote.exec(caddyValidate(IN_CONTAINER.caddyfileNext));
  await remote.exec(caddyReload(IN_CONTAINER.caddyfileNext));
  await remote.exec(['mv', LAYOUT.caddyfileNext, LAYOUT.caddyfile]);
  return 'reloaded';
}

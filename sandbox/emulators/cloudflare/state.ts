/** Everything one emulator instance knows; handlers read and change it. */
import type { KvStore, WorkerRuntime } from '../ports.js';
import type { KvNamespaces } from './kv-namespaces.js';
import type { DnsStore, Zone } from './dns-store.js';
import type { WorkerScripts } from './worker-scripts.js';
import type { WorkerRoutes } from './worker-routes.js';
import { cfError, couldNotRoute } from './envelope.js';
import { isIdentifier } from './ids.js';

export interface Account {
  id: string;
  name: string;
  createdOn: string;
}

export interface EmulatorState {
  account: Account;
  /** Derived from the token (never the token itself). */
  tokenId: string;
  zones: readonly Zone[];
  /** When the emulator started; zones report it as their creation time. */
  startedOn: string;
  dns: DnsStore;
  scripts: WorkerScripts;
  routes: WorkerRoutes;
  runtime: WorkerRuntime;
  workersSubdomain: { name: string };
  kv: KvNamespaces;
  /** The namespaces' values (shared with the runtime's KV bindings in the sandbox). */
  kvStore: KvStore;
}

/** The zone of a `:zone_id` path parameter, or Cloudflare's "could not route" error. */
export function findZone(state: EmulatorState, zoneId: string, fullPath: string): Zone {
  const zone = state.zones.find((z) => z.id === zoneId);
  if (!zone) throw couldNotRoute(fullPath);
  return zone;
}

/** Account-scoped paths only answer for the token's own account; others look like a permission failure. */
export function assertOwnAccount(state: EmulatorState, accountId: string, fullPath: string): void {
  if (accountId === state.account.id) return;
  throw isIdentifier(accountId) ? cfError(403, 10000, 'Authentication error') : couldNotRoute(fullPath);
}

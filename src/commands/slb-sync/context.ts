/** What slb:sync is given and what its steps share (workflow.ts reads, publish.ts changes Cloudflare). */
import type { StepTiming } from '../../lib/steps.js';
import type { CloudflareWorkersApi, Settings, WorkflowDeps } from '../../lib/ports.js';
import type { HealthCheckOptions } from '../../slb/health.js';
import { diffOrigins, type DroppedOrigin, type OriginCandidate } from '../../slb/origins.js';

/** The Cloudflare calls slb:sync makes. */
export type SlbCloudflare = CloudflareWorkersApi;

/** The part of WorkflowDeps slb:sync uses. */
export type SlbDeps = Pick<WorkflowDeps, 'tx' | 'reporter' | 'probe' | 'clock'> & {
  cloudflare: SlbCloudflare;
  settings: Pick<Settings, 'zoneId'>;
};

export interface SlbSyncInput {
  /** Worker script name. */
  name: string;
  accountId: string;
  /** false (`--no-health`): publish every active node without probing it. */
  health: boolean;
  /** Zone route pattern; without it the Worker is served on workers.dev. */
  route?: string;
  /** DYNIA_WORKERS_DEV_URL, e.g. `https://{script}.{subdomain}.workers.dev`. */
  workersDevUrlTemplate: string;
  dryRun: boolean;
  allowEmpty: boolean;
}

/** What tests and the benchmark replace; the CLI uses the defaults. */
export interface SlbSyncSeams {
  loadWorkerCode?: () => Promise<string>;
  health?: HealthCheckOptions;
}

export interface SlbSyncResult {
  /** Where the Worker answers; in a dry run, the one recorded in state (null if none). */
  url: string | null;
  /** The ORIGINS published (in a dry run: that would be published). */
  origins: string[];
  dropped: DroppedOrigin[];
  /** The deployed Worker's ORIGINS before this run; null when it has none (or does not exist). */
  current: string[] | null;
  dryRun: boolean;
  /** The new ORIGINS equal the current ones. */
  unchanged: boolean;
  uploaded: boolean;
  timings: StepTiming[];
}

export interface SlbCtx {
  input: SlbSyncInput;
  deps: SlbDeps;
  health: HealthCheckOptions;
  candidates: OriginCandidate[];
  origins: string[];
  dropped: DroppedOrigin[];
  workerExists: boolean;
  current: string[] | null;
  /** The deployed Worker's bindings (empty when it does not exist). */
  currentBindings: Array<{ type: string; name: string; [key: string]: unknown }>;
  /** The health KV namespace, once found or created. */
  namespaceId?: string;
  code?: string;
  codeHash?: string;
  loadWorkerCode: () => Promise<string>;
  uploaded: boolean;
  url?: string;
}

export const sameOrigins = (ctx: SlbCtx): boolean => ctx.current !== null && diffOrigins(ctx.current, ctx.origins).same;

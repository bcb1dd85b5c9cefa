/**
 * What app:deploy's steps share (the steps in workflow.ts, the swap in swap.ts, the undo in
 * undo.ts): the input, the run's context, and the small derivations every part needs.
 */
import { composeContainerName } from '../../node/layout.js';
import type { Deployment, State } from '../../state/schema.js';
import type { DeployPlan } from './plan.js';
import { caddyfileFor as caddyfileForNode, writeNodeManifest } from '../../deploy/deploy-shared.js';
import type { NodeSession, WorkflowDeps } from '../../lib/ports.js';
import type { StepTiming } from '../../lib/steps.js';
import type { ProbeResult } from '../../health/probe.js';

/** Deployment records kept per app and node (the active one is always kept). */
const HISTORY = 10;

export interface AppDeployInput {
  plan: DeployPlan;
  composeText: string;
  /** The variables compose interpolates with (the app's `.env` or `--env-file`s), as bytes. */
  interpolationEnv: string;
  /** Reads a file of the app directory (only the ones in `plan.files`). */
  readAppFile(path: string): Buffer;
  /** Whether the entry has a compose healthcheck (then Docker's `healthy` is waited for too). */
  entryHealthcheck: boolean;
  timeoutMs: number;
}

export interface AppDeployResult {
  deployment: Deployment;
  timings: StepTiming[];
  remote: { connections: number; commands: number };
  /** Time the app itself took from `up` to healthy (the part of the deploy that is not Dynia's). */
  appStartMs: number;
  /** Bytes sent to the node for the app's files (the tar of changed files and Dynia's own). */
  uploadedBytes: number;
}

/** An upload done: its counts, and the record of the tree the node now holds for the project (its `files.json`). */
export interface Sent {
  files: number;
  bytes: number;
  record: string;
}

export interface Ctx {
  input: AppDeployInput;
  deps: WorkflowDeps;
  session?: NodeSession;
  /** The Caddyfile the node runs, as rendered from state (known without reading it back). */
  caddyfileLive?: string;
  swapped: boolean;
  /** The running version's upload record, read by the reconcile step's one command (the upload's base). */
  base?: string | null;
  /** The node manifest's write, started by the swap (swap.ts). */
  manifestWritten?: Promise<void>;
  /** The upload, when it could go out beside the reconcile (its base known without reading the node). */
  earlyUpload?: Promise<Sent | 'stale'>;
  /** The external check's first probe, sent once the old version's door shut (only the new one can answer it). */
  earlyCheck?: Promise<ProbeResult | undefined>;
  appStartMs: number;
  uploadedBytes: number;
}

export const newCtx = (input: AppDeployInput, deps: WorkflowDeps): Ctx => ({
  input,
  deps,
  swapped: false,
  appStartMs: 0,
  uploadedBytes: 0,
});

export const healthPath = (ctx: Ctx): string => ctx.input.plan.node.healthPath;
/** What the external check asks for: the domain over HTTPS, at the node's health path. */
export const externalUrl = (ctx: Ctx): string => `https://${ctx.input.plan.entry.domain}${healthPath(ctx)}`;
export const caddyfileFor = (ctx: Ctx, state: State): string => caddyfileForNode(ctx.deps.settings, state, ctx.input.plan.node.name);
export const entryContainer = (ctx: Ctx): string => composeContainerName(ctx.input.plan.project, ctx.input.plan.entry.service);
export const writeManifest = (ctx: Ctx, state: State): Promise<void> =>
  writeNodeManifest(ctx.session!, state, ctx.input.plan.node.name, ctx.deps.clock.date());

export const record = (plan: DeployPlan) => ({
  node: plan.node.name,
  app: plan.app,
  project: plan.project,
  composeHash: plan.hash,
  entryService: plan.entry.service,
  entryPort: plan.entry.port,
  domain: plan.entry.domain,
  dataHashes: plan.dataHashes,
});

export function pruneHistory(state: State, node: string, app: string): void {
  const mine = state.deployments.filter((d) => d.node === node && d.app === app && d.status !== 'active');
  const drop = new Set(mine.slice(0, Math.max(0, mine.length - HISTORY)));
  state.deployments = state.deployments.filter((d) => !drop.has(d));
}

/** The audit line's arguments of a deploy. */
export const auditArgs = (plan: DeployPlan) => ({
  node: plan.node.name,
  app: plan.app,
  project: plan.project,
  domain: plan.entry.domain,
  composeHash: plan.hash.slice(0, 12),
});

/**
 * app:deploy's way back from a failure: before the swap the new project is removed and routing is untouched;
 * after it the previous version serves again if it can (back on `edge` without the alias, through the health
 * gate, then the alias), else the placeholder; either way the failure is recorded in state.
 */
import { composeDown } from '../../node/compose-commands.js';
import { waitHealthyInNetwork } from '../../node/health-commands.js';
import { composeContainerName } from '../../node/layout.js';
import { retireProject, reviveProject } from '../../node/retire-commands.js';
import type { Deployment, State } from '../../state/schema.js';
import { applyCaddyfile } from '../../deploy/caddy-config.js';
import { caddyfileFor, healthPath, pruneHistory, record, writeManifest, type Ctx } from './context.js';
import { reasonOf } from '../../errors.js';
import { appTarget as target, moveAlias } from '../../deploy/deploy-shared.js';
import { syncFqdnTarget } from '../../deploy/node-sites.js';

/**
 * Before the swap: remove the new project, record why, routing untouched. The node's manifest records the failure
 * too (else every later run's reconcile finds it behind state and rewrites it); if that write fails, the next
 * reconcile makes it.
 */
export async function abandon(ctx: Ctx, error: unknown): Promise<void> {
  const { plan } = ctx.input;
  await ctx.session?.exec(composeDown(target(plan.project)), { allowFailure: true });
  const state = await recordFailed(ctx, error);
  if (ctx.session) await writeManifest(ctx, state).catch(() => undefined);
}

async function recordFailed(ctx: Ctx, error: unknown): Promise<State> {
  const { plan } = ctx.input;
  const now = ctx.deps.clock.date().toISOString();
  return ctx.deps.tx.commit((draft) => {
    const mine = draft.deployments.find(
      (d) => d.node === plan.node.name && d.project === plan.project && d.status === 'active' && d.composeHash === plan.hash,
    );
    const failed = { status: 'failed' as const, reason: reasonOf(error), updatedAt: now };
    if (mine) Object.assign(mine, failed);
    else draft.deployments.push({ ...record(plan), createdAt: now, ...failed });
    pruneHistory(draft, plan.node.name, plan.app);
  });
}

/** After the swap: back to the previous version if it can run, else the placeholder; then remove the new one. */
export async function rollBack(ctx: Ctx, error: unknown): Promise<string> {
  const { plan } = ctx.input;
  const session = ctx.session!;
  await recordFailed(ctx, error);
  let restored: Deployment | undefined;
  if (plan.previous && (await revive(ctx, plan.previous))) restored = plan.previous;
  const state = await ctx.deps.tx.commit((draft) => {
    const previous =
      restored &&
      draft.deployments.find((d) => d.node === plan.node.name && d.project === restored.project && d.createdAt === restored.createdAt);
    if (previous) Object.assign(previous, { status: 'active', updatedAt: ctx.deps.clock.date().toISOString() });
    syncFqdnTarget(draft, plan.node.name);
  });
  await applyCaddyfile(session, caddyfileFor(ctx, state), ctx.caddyfileLive);
  await session.exec(composeDown(target(plan.project)), { allowFailure: true });
  await ctx.manifestWritten?.catch(() => undefined); // the swap's write lands first: this one is the last word
  await writeManifest(ctx, state);
  if (restored) return `the previous version ${restored.project} serves ${restored.domain} again`;
  return plan.entry.domain === plan.node.fqdn
    ? `${plan.entry.domain} is served by the placeholder`
    : `${plan.entry.domain} is no longer routed`;
}

/** The previous version back: on `edge` without the alias, started, through the health gate, then given the alias. */
async function revive(ctx: Ctx, previous: Deployment): Promise<boolean> {
  const session = ctx.session!;
  const entry = composeContainerName(previous.project, previous.entryService);
  const started = await session.exec(reviveProject(target(previous.project), entry), { allowFailure: true });
  if (started.code !== 0) return false;
  const seconds = Math.ceil(ctx.input.timeoutMs / 1000);
  const healthy = await session.exec(waitHealthyInNetwork(`http://${entry}:${previous.entryPort}${healthPath(ctx)}`, seconds), {
    allowFailure: true,
    timeoutMs: ctx.input.timeoutMs + 30_000,
  });
  if (healthy.code !== 0) {
    await session.exec(retireProject(target(previous.project)), { allowFailure: true });
    return false;
  }
  await moveAlias(session, entry, previous.domain);
  return true;
}

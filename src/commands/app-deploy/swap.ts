/**
 * app:deploy's swap: the new entry takes the domain's stable alias (Caddy re-resolves it every 200 ms, so no
 * reload), and once Caddy's own upstream pool shows it dials the new version (drain.ts) the old one is retired
 * (restart policy `no`, stopped, kept for a rollback). State is committed first, so a run killed anywhere from
 * here on is finished by the next run's reconcile. The alias move and the drain are one remote command unless
 * the Caddyfile changes (a new domain or port: Caddy is reloaded between them). The old version's stop, which
 * nothing but the deploy's end depends on, runs beside the external check and the state's last commit.
 */
import { niced } from '../../node/niced.js';
import { retireProject } from '../../node/retire-commands.js';
import { upstreamAlias } from '../../node/caddy/upstream-alias.js';
import type { Deployment } from '../../state/schema.js';
import { applyCaddyfile } from '../../deploy/caddy-config.js';
import { caddyfileFor, entryContainer, record, type Ctx, type Retired } from './context.js';
import { appTarget, moveAlias } from '../../deploy/deploy-shared.js';
import { describeDrain, drainThenStop, swapTarget } from '../../deploy/drain.js';
import { syncFqdnTarget } from '../../deploy/node-sites.js';
import type { NodeSession } from '../../lib/ports.js';

export async function swapTraffic(ctx: Ctx): Promise<string> {
  const { plan } = ctx.input;
  const session = ctx.session!;
  ctx.caddyfileLive = caddyfileFor(ctx, ctx.deps.tx.state);
  ctx.swapped = true;
  const now = ctx.deps.clock.date().toISOString();
  const state = await ctx.deps.tx.commit((draft) => {
    for (const d of draft.deployments)
      if (d.node === plan.node.name && d.app === plan.app && d.status === 'active')
        Object.assign(d, { status: 'superseded', updatedAt: now });
    draft.deployments.push({ ...record(plan), status: 'active', createdAt: now, updatedAt: now });
    syncFqdnTarget(draft, plan.node.name);
  });
  const caddyfile = caddyfileFor(ctx, state);
  const reload = caddyfile !== ctx.caddyfileLive;
  if (reload || !plan.previous) {
    await moveAlias(session, entryContainer(ctx), plan.entry.domain);
    await applyCaddyfile(session, caddyfile, ctx.caddyfileLive);
    ctx.caddyfileLive = caddyfile;
  }
  const said = reload ? 'Caddy reloaded (new site or port)' : 'no Caddy reload';
  if (!plan.previous) return said;
  // Both versions answer under the alias now; the old one is retired once Caddy shows it dials the new one.
  const target = swapTarget(entryContainer(ctx), plan.entry.port, plan.previous);
  const drained = await drainThenStop(
    session,
    reload ? target : { ...target, takeAlias: upstreamAlias(plan.entry.domain) },
    [],
    ctx.deps.clock,
  );
  ctx.retiring = retire(session, plan.previous, ctx.deps.clock);
  return `${said}; ${describeDrain(drained, false)}; stopping it`;
}

/** The old version's stop, started without waiting, yielding the CPU to the load: its outcome is kept, never thrown (see `retired`). */
function retire(session: NodeSession, previous: Deployment, clock: { now(): number }): Promise<Retired> {
  const t0 = clock.now();
  return session.exec(niced(retireProject(appTarget(previous.project)))).then(
    () => ({ ms: clock.now() - t0 }),
    (error: unknown) => ({ error }),
  );
}

/** Waits for the old version's stop, if one is in flight; throws its failure; says how long it took. */
export async function retired(ctx: Ctx): Promise<string | undefined> {
  if (!ctx.retiring) return undefined;
  const outcome = await ctx.retiring;
  ctx.retiring = undefined;
  if ('error' in outcome) throw outcome.error;
  return `old version stopped in ${Math.round(outcome.ms)} ms`;
}

/** Before anything else touches the node after a failure: the stop in flight has ended (its outcome no longer matters). */
export async function settleRetire(ctx: Ctx): Promise<void> {
  await ctx.retiring;
  ctx.retiring = undefined;
}

/**
 * app:deploy's swap: the new entry takes the domain's stable alias (Caddy re-resolves it every 200 ms, so no
 * reload), and once Caddy's own upstream pool shows it dials the new version (drain.ts) the old one is retired
 * (restart policy `no`, stopped, kept for a rollback). State is committed first, so a run killed anywhere from
 * here on is finished by the next run's reconcile. The alias move and the drain are one remote command unless
 * the Caddyfile changes (a new domain or port: Caddy is reloaded between them); it returns once the old version's
 * stop has begun behind its shut door (or its process has exited, without one), and the stop goes on behind it
 * (drain-commands.ts). The external check's first probe goes as soon as the old version's door is shut, beside the
 * rest of the drain: from then on no GET reaches the old version. Its connection is opened while the app starts.
 */
import { upstreamAlias } from '../../node/caddy/upstream-alias.js';
import { applyCaddyfile } from '../../deploy/caddy-config.js';
import { caddyfileFor, entryContainer, externalUrl, pruneHistory, record, writeManifest, type Ctx } from './context.js';
import { moveAlias } from '../../deploy/deploy-shared.js';
import { describeDrain, drainThenStop, swapTarget } from '../../deploy/drain.js';
import { syncFqdnTarget } from '../../deploy/node-sites.js';
import { probeAhead } from '../../deploy/https-check.js';

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
    pruneHistory(draft, plan.node.name, plan.app);
  });
  // The node's manifest says what state says from here on; it is written beside the traffic's move (finalize and
  // any rollback wait for it) instead of adding its round trip after the external check.
  ctx.manifestWritten = writeManifest(ctx, state);
  ctx.manifestWritten.catch(() => undefined);
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
  const url = externalUrl(ctx);
  const target = swapTarget(entryContainer(ctx), plan.entry.port, plan.previous);
  // The external check must reach the new version only, and the old one holds the alias until its process has
  // exited (retire-commands.ts): its request goes once the door says no GET can reach the old one, else after the
  // stop, which is part of the drain command.
  const drained = await drainThenStop(
    session,
    reload ? target : { ...target, takeAlias: upstreamAlias(plan.entry.domain) },
    plan.previous.project,
    ctx.deps.clock,
    () => {
      ctx.earlyCheck = probeAhead(url, ctx.deps);
    },
  );
  return `${said}; ${describeDrain(drained)}`;
}

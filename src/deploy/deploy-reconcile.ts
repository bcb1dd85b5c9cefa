/**
 * Reconcile before acting (app:deploy, app:rollback): what the node runs of the app is compared with what state
 * says, and a half-done step of an interrupted run is finished or undone before the command's own steps.
 * State is the truth: a colour state does not call active must not run nor hold the domain's alias (it is
 * retired: stopped, restart policy `no`, alias removed); the active one must hold it; the Caddyfile and the
 * manifest must be the ones state implies. An active version that no longer runs can only be repaired by a
 * new deploy (`redeploy`): a deploy of the same file then is not a no-op.
 */
import { composeContainerName } from '../node/layout.js';
import { parseManifest, renderManifest } from '../node/manifest.js';
import { COLOURS, observeApp, parseObservedApp, type ObservedApp } from '../node/observe-app.js';
import { retireProject } from '../node/retire-commands.js';
import { chain } from '../node/app-sync.js';
import { upstreamAlias } from '../node/caddy/upstream-alias.js';
import type { Deployment, NodeRecord, State } from '../state/schema.js';
import { appendAudit, auditOutcome } from '../lib/audit.js';
import { applyCaddyfile } from './caddy-config.js';
import { planRollback, type RollbackPlan } from '../commands/app-rollback/plan.js';
import { appTarget, caddyfileFor, moveAlias, writeNodeManifest } from './deploy-shared.js';
import { nodeManifest } from './node-sites.js';
import type { NodeSession, WorkflowDeps } from '../lib/ports.js';

export type Repair =
  | { kind: 'alias'; container: string; domain: string; why: string }
  | { kind: 'retire'; project: string; why: string }
  | { kind: 'caddyfile'; why: string }
  | { kind: 'manifest'; why: string };

export interface Reconciliation {
  repairs: Repair[];
  /** Why only a new deploy can repair the node (the active version does not run), if so. */
  redeploy?: string;
}

export interface ReconcileInput {
  app: string;
  /** The app's active deployment on the node, per state. */
  active?: Deployment;
  observed: ObservedApp;
  /** What state implies for the whole node. */
  caddyfile: string;
  manifest: string;
  /** A colour the command is about to recreate anyway: running there is no fault unless it holds the alias. */
  replacing?: string;
}

const sameManifest = (text: string, expected: string): boolean => {
  try {
    return renderManifest({ ...parseManifest(text), updatedAt: '' }) === expected;
  } catch {
    return false;
  }
};

/** Pure: the repairs that bring the node to what state says, in the order they are applied. */
export function planReconcile(input: ReconcileInput): Reconciliation {
  const { app, active, observed } = input;
  const repairs: Repair[] = [];
  let redeploy: string | undefined;
  if (active) {
    const name = composeContainerName(active.project, active.entryService);
    const entry = observed.containers.find((c) => c.name === name);
    const alias = upstreamAlias(active.domain);
    if (!entry?.running) redeploy = `${name} (the active version, per state) ${entry ? 'is stopped' : 'is gone'}`;
    else if (!entry.edgeAliases?.includes(alias))
      repairs.push({ kind: 'alias', container: name, domain: active.domain, why: `${name} (active) did not hold ${alias}: given it` });
  }
  for (const colour of COLOURS) {
    const project = `${app}-${colour}`;
    if (project === active?.project) continue;
    const mine = observed.containers.filter((c) => c.project === project);
    const holding = mine.filter((c) => c.edgeAliases?.some((a) => a.startsWith('dynia-upstream-')));
    const running = mine.filter((c) => c.running);
    if (holding.length === 0 && (running.length === 0 || project === input.replacing)) continue;
    const what = [
      running.length ? 'still running' : '',
      holding.length ? `holding the alias (${holding.map((c) => c.name).join(', ')})` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    repairs.push({
      kind: 'retire',
      project,
      why: `${project} was ${what} though state ${active ? `calls ${active.project} active` : 'has no active version'} (an interrupted run): retired`,
    });
  }
  if (observed.caddyfile !== input.caddyfile)
    repairs.push({ kind: 'caddyfile', why: 'the Caddyfile differed from state: rewritten and reloaded' });
  if (!sameManifest(observed.manifest, input.manifest))
    repairs.push({ kind: 'manifest', why: 'the node manifest differed from state: rewritten' });
  return { repairs, ...(redeploy ? { redeploy } : {}) };
}

/** Reads the node (one command), repairs what differs from state, says what it repaired. */
export async function reconcileApp(
  session: NodeSession,
  deps: Pick<WorkflowDeps, 'settings' | 'reporter' | 'clock'> & { tx: { readonly state: State } },
  node: NodeRecord,
  app: string,
  options: { replacing?: string; alsoRead?: string } = {},
): Promise<Reconciliation & { file: string | null }> {
  const observed = parseObservedApp(app, (await session.exec(observeApp(app, options.alsoRead))).stdout);
  const state = deps.tx.state;
  const active = state.deployments.find((d) => d.node === node.name && d.app === app && d.status === 'active');
  const caddyfile = caddyfileFor(deps.settings, state, node.name);
  const manifest = renderManifest({
    ...nodeManifest(state.nodes.find((n) => n.name === node.name)!, state.deployments, ''),
    updatedAt: '',
  });
  const result = planReconcile({
    app,
    observed,
    caddyfile,
    manifest,
    ...(active ? { active } : {}),
    ...(options.replacing ? { replacing: options.replacing } : {}),
  });
  for (const r of result.repairs) {
    if (r.kind === 'alias') await moveAlias(session, r.container, r.domain);
  }
  const retire = result.repairs.flatMap((r) => (r.kind === 'retire' ? [retireProject(appTarget(r.project))] : []));
  if (retire.length) await session.exec(chain(...retire));
  if (result.repairs.some((r) => r.kind === 'caddyfile')) await applyCaddyfile(session, caddyfile, observed.caddyfile);
  if (result.repairs.some((r) => r.kind === 'manifest')) await writeNodeManifest(session, state, node.name, deps.clock.date());
  for (const r of result.repairs) deps.reporter.info(`repaired: ${r.why}`);
  return { ...result, file: observed.file };
}

/** One node compared with state and repaired on its own connection; the audit line only when something changed. */
export async function reconcileNode(node: NodeRecord, app: string, command: string, deps: WorkflowDeps): Promise<Reconciliation> {
  const session = await deps.connect(node, () => Promise.resolve());
  let failure: unknown;
  let found: Reconciliation | undefined;
  try {
    found = await reconcileApp(session, deps, node, app);
    return found;
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    if (failure || found?.repairs.length) {
      const args = { node: node.name, app, reconcile: found?.repairs.map((r) => r.kind).join(',') ?? '' };
      await appendAudit(session, deps, { command, args, ...auditOutcome(failure) });
    }
    await session.close();
  }
}

/**
 * app:rollback's plan, or why not; a refused plan (nothing to go back to, e.g. the rollback an interrupted run
 * already switched) still repairs the node first, so the interrupted run's leftovers do not stay.
 */
export async function planRollbackReconciled(
  state: State,
  input: { node: string; domain?: string; app?: string },
  deps: WorkflowDeps,
): Promise<RollbackPlan> {
  try {
    return planRollback(state, input);
  } catch (error) {
    const node = state.nodes.find((n) => n.name === input.node && n.status === 'active');
    const apps = [
      ...new Set(
        state.deployments
          .filter(
            (d) =>
              d.node === input.node &&
              d.status === 'active' &&
              (input.app === undefined || d.app === input.app) &&
              (input.domain === undefined || d.domain === input.domain),
          )
          .map((d) => d.app),
      ),
    ];
    if (node && apps.length === 1) await reconcileNode(node, apps[0]!, 'app:rollback', deps);
    throw error;
  }
}

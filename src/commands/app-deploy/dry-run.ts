/** `app:deploy --dry-run`: the plan from the compose file and the state alone (no node contact). */
import type { DeployPlan } from './plan.js';

export interface DryRunReport {
  app: string;
  node: string;
  project: string;
  dataProject: string;
  entry: { service: string; port: number; domain: string };
  unchanged: boolean;
  /** Every file of the app directory the deploy would carry (a redeploy sends only the changed ones). */
  files: Array<{ path: string; size: number; secret: boolean }>;
  totalBytes: number;
  /** Interpolated with (uploaded 0600 as the project's interpolation.env). */
  envFiles: string[];
  sideBySide: string[];
  /** Run once, to completion, before the services that wait for them (migrations). */
  jobs: string[];
  data: Array<{ service: string; why: string; change: string }>;
  dataDirectories: string[];
  volumes: string[];
  warnings: string[];
}

export function dryRunReport(plan: DeployPlan, modelWarnings: readonly string[], envFiles: readonly string[]): DryRunReport {
  const warnings = [
    ...plan.override.strippedPorts.map(
      ({ service, ports }) => `service ${service}: host ports ${ports.join(', ')} are not published (Caddy routes over network edge)`,
    ),
    ...modelWarnings,
    ...plan.warnings,
  ];
  return {
    app: plan.app,
    node: plan.node.name,
    project: plan.project,
    dataProject: plan.dataProject,
    entry: plan.entry,
    unchanged: plan.unchanged,
    files: plan.files.map((f) => ({ path: f.path, size: f.size, secret: f.secret })),
    totalBytes: plan.files.reduce((sum, f) => sum + f.size, 0),
    envFiles: [...envFiles],
    sideBySide: plan.stateless,
    jobs: plan.jobs,
    data: plan.data,
    dataDirectories: [
      ...new Set(plan.model.services.flatMap((s) => s.mounts.filter((m) => m.kind === 'data-dir').map((m) => `./${m.source}`))),
    ],
    volumes: plan.model.volumes.map((v) => `${v} → ${plan.app}_${v}`),
    warnings,
  };
}

export function renderDryRun(r: DryRunReport): string {
  const lines = [
    `app ${r.app} → node ${r.node}, project ${r.project}${r.unchanged ? ' (unchanged: a deploy would do nothing without --force)' : ''}`,
    `entry ${r.entry.service}:${r.entry.port} → https://${r.entry.domain}/`,
    `variables from: ${r.envFiles.join(', ') || 'none (no .env)'}`,
    `side by side during the swap: ${r.sideBySide.join(', ') || 'none'}`,
    ...(r.jobs.length ? [`jobs (each runs once, to completion, before the services that wait for it): ${r.jobs.join(', ')}`] : []),
    `data (runs once in ${r.dataProject}): ${r.data.map((d) => `${d.service} (${d.why}; ${d.change})`).join(', ') || 'none'}`,
    ...(r.volumes.length ? [`volumes: ${r.volumes.join(', ')}`] : []),
    ...(r.dataDirectories.length ? [`kept data directories (never overwritten): ${r.dataDirectories.join(', ')}`] : []),
    `files (${r.files.length}, ${r.totalBytes} bytes; a redeploy sends only the changed ones):`,
    ...r.files.map((f) => `  ${f.path}  ${f.size} B${f.secret ? '  (secret: stored 0600 root)' : ''}`),
    ...r.warnings.map((w) => `warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

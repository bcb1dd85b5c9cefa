/**
 * app:deploy's node side of the app directory: upload only what changed since the running version (one remote
 * command, the tar on stdin, compose's check on the staged files before anything changes), then the one command
 * that builds and starts: data services in place (unchanged ones untouched), stateless ones in the new colour.
 */
import { InputError } from '../../errors.js';
import { appNetworkName, appNetworks } from '../../compose/override.js';
import { createHash } from 'node:crypto';
import {
  BASE_CHANGED,
  CONFIG_REFUSED,
  EDGE_MISSING,
  chain,
  diffTree,
  parseUploadedTree,
  stagedDir,
  syncCommand,
  tarOf,
  withBuilder,
  type TarEntry,
  type UploadedTree,
} from '../../node/app-sync.js';
import { compose, type ComposeTarget } from '../../node/compose-commands.js';
import { appDataDir, appDir } from '../../node/layout.js';
import { tail } from '../../remote/remote.js';
import type { Argv } from '../../remote/quote.js';
import type { AppDeployInput, Sent } from './context.js';
import type { DeployPlan } from './plan.js';
import { appTarget } from '../../deploy/deploy-shared.js';
import type { NodeSession } from '../../lib/ports.js';

const staged = (project: string, dir: string, override: string): ComposeTarget => ({
  project,
  files: [`${dir}/compose.yaml`, `${dir}/${override}`],
  projectDirectory: `${dir}/src`,
  envFile: `${dir}/interpolation.env`,
});

/**
 * The upload's base is the running version's `files.json`: as read from the node, or as recorded locally
 * (`recorded`: then the node compares it with its own first, and a stale one makes this return 'stale' with
 * nothing changed).
 */
export function syncApp(session: NodeSession, input: AppDeployInput, base: { text: string | null }): Promise<Sent>;
export function syncApp(
  session: NodeSession,
  input: AppDeployInput,
  base: { text: string | null; recorded: true },
): Promise<Sent | 'stale'>;
export async function syncApp(
  session: NodeSession,
  input: AppDeployInput,
  base: { text: string | null; recorded?: true },
): Promise<Sent | 'stale'> {
  const { plan } = input;
  const diff = diffTree(plan.files, plan.previous ? parseUploadedTree(base.text) : null);
  const uploaded: UploadedTree = { hash: plan.hash, files: plan.files.map(({ path, hash, mode, size }) => ({ path, hash, mode, size })) };
  const record = JSON.stringify(uploaded);
  const entries: TarEntry[] = [
    { name: 'compose.yaml', content: Buffer.from(input.composeText), mode: 0o644 },
    { name: 'dynia.override.yaml', content: Buffer.from(plan.override.yaml), mode: 0o644 },
    { name: 'data.override.yaml', content: Buffer.from(plan.dataOverride.yaml), mode: 0o644 },
    { name: 'interpolation.env', content: Buffer.from(input.interpolationEnv), mode: 0o600 },
    { name: 'files.json', content: Buffer.from(record), mode: 0o600 },
    ...diff.send.map((f) => ({ name: `src/${f.path}`, content: input.readAppFile(f.path), mode: f.mode })),
  ];
  const tar = await tarOf(entries);
  const dir = appDir(plan.project);
  const stage = stagedDir(dir);
  const command = syncCommand({
    newDir: dir,
    baseDir: plan.previous ? appDir(plan.previous.project) : '',
    dataProjectDir: appDir(plan.dataProject),
    dataDir: appDataDir(plan.app),
    networks: appNetworks(plan.model, plan.entry.service).map((n) => ({ name: appNetworkName(plan.app, n.key), internal: n.internal })),
    deleted: diff.deleted,
    secrets: plan.files.filter((f) => f.secret).map((f) => f.path),
    dataDirs: [...new Set(plan.model.services.flatMap((s) => s.mounts.filter((m) => m.kind === 'data-dir').map((m) => m.source!)))],
    // The data project's view differs only in paths and labels; it is checked too when its services will change.
    check: [
      [...compose(staged(plan.project, stage, 'dynia.override.yaml')), 'config', '--quiet'],
      ...(plan.data.some((d) => d.change !== 'unchanged')
        ? [[...compose(staged(plan.dataProject, stage, 'data.override.yaml')), 'config', '--quiet']]
        : []),
    ],
    ...(base.recorded && base.text !== null ? { baseSum: createHash('sha256').update(base.text).digest('hex') } : {}),
  });
  const result = await session.exec(command, { stdin: tar, allowFailure: true, timeoutMs: 300_000 });
  if (result.code === BASE_CHANGED) return 'stale';
  if (result.code === EDGE_MISSING) {
    throw InputError(
      `network edge does not exist on ${plan.node.name}: something outside Dynia removed it, and Caddy cannot reach any app without it.`,
      `Re-create it (ssh root@${plan.node.ip} docker network create edge), restart Caddy and the placeholder on it (docker start dynia-caddy dynia-placeholder), then deploy again.`,
    );
  }
  if (result.code === CONFIG_REFUSED)
    throw InputError(
      `docker compose on ${plan.node.name} refuses the file:\n${tail(result.stderr)}`,
      'Fix the compose file; nothing was started.',
    );
  if (result.code !== 0)
    throw InputError(
      `uploading the app to ${plan.node.name} failed (exit ${result.code}):\n${tail(result.stderr)}`,
      'Nothing was started; check the node (disk space) and deploy again.',
    );
  return { files: diff.send.length, bytes: tar.length, record };
}

/** Data services first (each once, in place), then the new colour's stateless services beside the running ones. */
export function startCommand(plan: DeployPlan): Argv {
  const data = appTarget(plan.dataProject);
  const group = (change: DeployPlan['data'][number]['change']) => plan.data.filter((d) => d.change === change).map((d) => d.service);
  const commands: Argv[] = [];
  // An unchanged job has done its work: `up --no-recreate` would start its exited container again.
  const unchanged = group('unchanged').filter((service) => !plan.jobs.includes(service));
  if (unchanged.length) commands.push([...compose(data), 'up', '-d', '--no-deps', '--no-recreate', '--pull', 'missing', ...unchanged]);
  const fresh = group('new');
  if (fresh.length) commands.push([...compose(data), 'up', '-d', '--no-deps', '--wait', '--pull', 'always', ...fresh]);
  const changed = group('changed');
  if (changed.length)
    commands.push([...compose(data), 'up', '-d', '--no-deps', '--wait', '--force-recreate', '--pull', 'always', ...changed]);
  commands.push([
    ...compose(appTarget(plan.project)),
    'up',
    '-d',
    '--no-deps',
    '--force-recreate',
    '--remove-orphans',
    '--pull',
    'always',
    ...plan.stateless,
  ]);
  // Only a build needs to know the builder; the check is a docker CLI start-up of its own.
  return plan.model.services.some((s) => s.build) ? withBuilder(chain(...commands)) : chain(...commands);
}

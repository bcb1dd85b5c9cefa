/**
 * The pure half of app:deploy: from a parsed compose file and the state, what to deploy where, or why not.
 */
import { basename, dirname, resolve } from 'node:path';
import type { AppFile } from '../../compose/app-files.js';
import { dataHashes, imageTags } from '../../compose/app-hashes.js';
import { DATA_LABEL, type AppModel } from '../../compose/app-model.js';
import type { ComposeFile } from '../../compose/parse.js';
import { inferEntry, type Entry } from '../../compose/infer.js';
import { renderOverride, type Override } from '../../compose/override.js';
import { InputError } from '../../errors.js';
import { appDataDir, appSrcDir, dataProject } from '../../node/layout.js';
import type { Deployment, NodeRecord, State } from '../../state/schema.js';
import { validateProjectName } from '../../validate/project-name.js';
import { noSuchNode } from '../../deploy/node-selection.js';

export interface DeployPlan {
  node: NodeRecord;
  app: string;
  entry: Entry;
  hash: string;
  /** The compose project of this deploy: the colour the running version does not use. */
  project: string;
  previous?: Deployment;
  override: Override;
  /** Same file already active (a re-run without --force does nothing). */
  unchanged: boolean;
  model: AppModel;
  files: readonly AppFile[];
  /** Services that run side by side during the swap (in the colour project). */
  stateless: string[];
  /** Services that run once, to completion, before those that wait for them (ServiceModel.job). */
  jobs: string[];
  /** Services that hold data: one copy, in `dataProject`, updated in place. */
  data: Array<{ service: string; why: string; change: 'new' | 'changed' | 'unchanged' }>;
  dataProject: string;
  dataOverride: Override;
  dataHashes: Record<string, string>;
  /** What the user must hear before this deploy (e.g. volumes an older Dynia kept per colour). */
  warnings: string[];
}

/** `--name`, else the file's top-level `name:`, else its directory's name (as compose does). */
export function appNameFor(composePath: string, explicit?: string, fileName?: string): string {
  if (explicit !== undefined) return validateProjectName(explicit, '--name');
  if (fileName !== undefined) return validateProjectName(fileName, `top-level name: in ${composePath} (or pass --name)`);
  const name = basename(dirname(resolve(composePath)));
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return validateProjectName(cleaned, `app name derived from ${composePath} (pass --name)`);
}

const otherColour = (project: string | undefined): 'blue' | 'green' => (project?.endsWith('-blue') ? 'green' : 'blue');

export interface PlanInput {
  node: string;
  app: string;
  file: ComposeFile;
  model: AppModel;
  files: readonly AppFile[];
  hash: string;
  force: boolean;
}

export function planDeploy(state: State, input: PlanInput): DeployPlan {
  const node = state.nodes.find((n) => n.name === input.node);
  if (!node) throw noSuchNode(state, `--node ${input.node}`, `Create it first: dynia node:create --name ${input.node}`);
  if (node.status !== 'active') {
    throw InputError(
      `--node ${input.node} is not ready (status ${node.status}).`,
      `Finish it first: dynia node:create --name ${input.node}`,
    );
  }
  const entry = inferEntry(input.file, node.fqdn);
  const entryModel = input.model.services.find((s) => s.name === entry.service)!;
  if (entryModel.data) {
    throw InputError(
      `${input.file.where(['services', entry.service])}: the entry service ${entry.service} ${entryModel.why}, so Dynia would run it once and the swap could not be zero-downtime.`,
      `If two copies may share it for the seconds of a swap (most web apps can; a database never can), say so:\n  services:\n    ${entry.service}:\n      labels:\n        ${DATA_LABEL}: "false"\nOtherwise move the data into its own service.`,
    );
  }
  const active = state.deployments.filter((d) => d.node === node.name && d.status === 'active');
  const taken = active.find((d) => d.domain === entry.domain && d.app !== input.app);
  if (taken) {
    throw InputError(
      `${entry.domain} is already served by app ${taken.app} on ${node.name}.`,
      `Give this app its own domain (label dynia.domain on service ${entry.service}), or deploy it as --name ${taken.app} to replace that app.`,
    );
  }
  const previous = active.find((d) => d.app === input.app);
  const project = validateProjectName(`${input.app}-${otherColour(previous?.project)}`, 'compose project');
  const data = validateProjectName(dataProject(input.app), 'compose project');
  const tags = imageTags(input.app, input.file, input.model, input.files);
  const meta = { app: input.app, node: node.name, entry: entry.service, dataDir: appDataDir(input.app), imageTags: tags };
  const hashes = dataHashes(input.file, input.model, input.files);
  const before = previous?.dataHashes ?? {};
  return {
    node,
    app: input.app,
    entry,
    hash: input.hash,
    project,
    ...(previous ? { previous } : {}),
    override: renderOverride(input.file, input.model, { ...meta, project, srcDir: appSrcDir(project) }),
    unchanged: !input.force && previous?.composeHash === input.hash && previous.domain === entry.domain,
    model: input.model,
    files: input.files,
    stateless: input.model.services.filter((s) => !s.data).map((s) => s.name),
    jobs: input.model.services.filter((s) => s.job).map((s) => s.name),
    data: input.model.services
      .filter((s) => s.data)
      .map((s) => ({
        service: s.name,
        why: s.why,
        change: before[s.name] === undefined ? 'new' : before[s.name] === hashes[s.name] ? 'unchanged' : 'changed',
      })),
    dataProject: data,
    dataOverride: renderOverride(input.file, input.model, { ...meta, project: data, srcDir: appSrcDir(data) }),
    dataHashes: hashes,
    warnings:
      previous && previous.dataHashes === undefined && input.model.volumes.length > 0
        ? [
            `${previous.project} was deployed by an older Dynia, which kept volumes per colour (${input.model.volumes.map((v) => `${previous.project}_${v}`).join(', ')}); this deploy uses ${input.model.volumes.map((v) => `${input.app}_${v}`).join(', ')}. Copy the data over first if you need it: docker run --rm -v <old>:/from -v <new>:/to busybox cp -a /from/. /to/`,
          ]
        : [],
  };
}

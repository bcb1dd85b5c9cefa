/**
 * The pure half of app:deploy: from a parsed compose file and the state, what to deploy where, or why not.
 */
import { basename, dirname, extname } from 'node:path';
import type { ComposeFile } from '../compose/parse.js';
import { inferEntry, type Entry } from '../compose/infer.js';
import { renderOverride, type Override } from '../compose/override.js';
import { InputError } from '../errors.js';
import type { Deployment, NodeRecord, State } from '../state/schema.js';
import { validateProjectName } from '../validate/project-name.js';

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
}

/** `--name`, else the file's name, else (for compose.yaml and friends) its directory's name. */
export function appNameFor(composePath: string, explicit?: string): string {
  if (explicit !== undefined) return validateProjectName(explicit, '--name');
  let name = basename(composePath, extname(composePath));
  if (/^(docker-)?compose$/.test(name)) name = basename(dirname(composePath));
  const cleaned = name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|[-_]+$/g, '');
  return validateProjectName(cleaned, `app name derived from ${composePath} (pass --name)`);
}

const otherColour = (project: string | undefined): 'blue' | 'green' => (project?.endsWith('-blue') ? 'green' : 'blue');

export function planDeploy(state: State, input: { node: string; app: string; file: ComposeFile; hash: string; force: boolean }): DeployPlan {
  const node = state.nodes.find((n) => n.name === input.node);
  if (!node) {
    const known = state.nodes.map((n) => n.name).join(', ') || 'none';
    throw InputError(`--node ${input.node}: no such node in state (known: ${known}).`, 'Create it first: dynia node:create --name ' + input.node);
  }
  if (node.status !== 'active') {
    throw InputError(`--node ${input.node} is not ready (status ${node.status}).`, `Finish it first: dynia node:create --name ${input.node}`);
  }
  const entry = inferEntry(input.file, node.fqdn);
  const active = state.deployments.filter((d) => d.node === node.name && d.status === 'active');
  const taken = active.find((d) => d.domain === entry.domain && d.app !== input.app);
  if (taken) {
    throw InputError(
      `${entry.domain} is already served by app ${taken.app} on ${node.name}.`,
      `Give this app its own domain (label dynia.domain on service ${entry.service}), or deploy it as --name ${taken.app} to replace that app.`,
    );
  }
  const previous = active.find((d) => d.app === input.app);
  const project = `${input.app}-${otherColour(previous?.project)}`;
  return {
    node,
    app: input.app,
    entry,
    hash: input.hash,
    project: validateProjectName(project, 'compose project'),
    ...(previous ? { previous } : {}),
    override: renderOverride(input.file, { project, node: node.name }),
    unchanged: !input.force && previous?.composeHash === input.hash && previous.domain === entry.domain,
  };
}

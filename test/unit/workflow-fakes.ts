/** Test doubles the workflow tests share: an in-memory state transaction and a scripted node session. */
import type { Argv } from '../../src/remote/quote.js';
import { RecordingRemote, type ScriptedAnswer } from '../../src/remote/recording.js';
import { State } from '../../src/state/schema.js';
import type { StateTx } from '../../src/state/store.js';
import { composeContainerName } from '../../src/node/layout.js';
import { renderManifest } from '../../src/node/manifest.js';
import { upstreamAlias } from '../../src/node/upstream-alias.js';
import { caddyfileFor } from '../../src/workflows/deploy-shared.js';
import { nodeManifest } from '../../src/workflows/node-sites.js';
import type { NodeSession, Settings } from '../../src/workflows/ports.js';

/** Commits are validated like the real store's, but kept in memory. */
export function memoryTx(start: State): StateTx {
  let current = start;
  return {
    get state() {
      return current;
    },
    async commit(mutator) {
      const draft = structuredClone(current);
      current = State.parse(mutator(draft) ?? draft);
      return current;
    },
  };
}

/** The drain-then-stop command (see drain-commands.ts): its fifth word is the address template. */
export const isDrain = (argv: Argv): boolean => argv[0] === 'sh' && (argv[4] ?? '').startsWith('{{with index .NetworkSettings.Networks');

/**
 * A drain command shown short: `[alias <alias> then ]drain <new container>:<port> <old container>:<port>[ then <stop
 * command, as `show` shows it>]`.
 */
export const shownDrain = (argv: Argv, show = (stop: Argv) => stop.join(' ')): string =>
  `${argv[12] ? `alias ${argv[12]} then ` : ''}drain ${argv[6]}:${argv[7]} ${argv[8]}:${argv[9]}${argv.length > 13 ? ` then ${show(argv.slice(13))}` : ''}`;

/** A command run at lower CPU priority (niced.ts): the wrapped argv starts at index 4. */
export const isNiced = (argv: Argv): boolean => argv[0] === 'sh' && /^renice .*exec "\$@"$/.test(argv[2] ?? '');

/** A node session whose Caddy drains at once unless a test sets `drainAnswer` (or the subclass answers drains itself). */
export class FakeNode extends RecordingRemote implements NodeSession {
  readonly stats = { connections: 1, commands: 0 };
  closed = false;
  drainAnswer: ScriptedAnswer = { stdout: 'drained new 2\n' };
  constructor(host?: string, scriptedDrain = true) {
    super(host);
    if (scriptedDrain) this.on(isDrain, () => this.drainAnswer);
  }
  async close() {
    this.closed = true;
  }
}

/** Whether a command is the reconcile step's one read of the node (observe-app.ts). */
export const isObserve = (argv: readonly string[]): boolean => argv[0] === 'sh' && argv[2]?.includes('--- caddyfile') === true;

/**
 * Answers the reconcile read as a node that matches state would: the active entry of each app running and
 * holding its alias, the Caddyfile and manifest state implies, the asked file from what was uploaded.
 */
export function matchesState(remote: FakeNode, tx: StateTx, settings: Settings, nodeName: string): FakeNode {
  return remote.on(isObserve, (argv) => {
    const state = tx.state;
    const app = argv[4]!;
    const containers = state.deployments
      .filter((d) => d.node === nodeName && d.app === app && d.status === 'active')
      .map(
        (d) =>
          `container /${composeContainerName(d.project, d.entryService)}|${d.project}|${d.entryService}|true|${upstreamAlias(d.domain)},\n`,
      );
    const manifest = renderManifest(nodeManifest(state.nodes.find((n) => n.name === nodeName)!, state.deployments, 'then'));
    const file = remote.files.get(argv[7] ?? '') ?? '(none)\n';
    return {
      stdout: `${containers.join('')}--- caddyfile\n${caddyfileFor(settings, state, nodeName)}--- manifest\n${manifest}--- file\n${argv[7] ? file : ''}`,
    };
  });
}

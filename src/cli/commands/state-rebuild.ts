import { mkdir } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import { hostKeyFingerprint } from '../../remote/host-key.js';
import { acquireLock } from '../../state/lock.js';
import type { State } from '../../state/schema.js';
import { StateStore } from '../../state/store.js';
import { activeDeployments } from '../../workflows/node-sites.js';
import { loadForRebuild, rebuildState, reportRebuild } from '../../workflows/state-rebuild.js';
import { diffStates, isEmptyDiff, renderStateDiff } from '../../workflows/state-diff.js';
import { confirmOnTerminal } from '../confirm.js';
import { portsOf, withClients } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { printJson, renderTable } from '../output.js';

export async function stateRebuildCommand(opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const yes = opts.yes === true;
  const dryRun = opts.dryRun === true;
  if (!yes && !dryRun && !process.stdin.isTTY) {
    throw InputError(
      'state:rebuild asks before it writes, and there is no terminal to ask; nothing was done.',
      'Pass --yes to write the rebuilt state (the current file is backed up), or --dry-run to only see it.',
    );
  }
  await withClients(globals, async (clients) => {
    const { config, reporter } = clients;
    const store = new StateStore(config.stateDir);
    await mkdir(config.stateDir, { recursive: true });
    // Not StateStore.withLock: a state file that cannot be read is exactly what this command repairs.
    const release = await acquireLock(store.lockPath, 'state:rebuild', {
      waitMs: 3000,
      pollMs: 100,
      onTakeover: (message) => reporter.warn(message),
    });
    try {
      const { state: current, unreadable } = await loadForRebuild(store, reporter);
      const result = await rebuildState(current, portsOf(clients));
      const diff = diffStates(current, result.state);
      const changed = unreadable !== undefined || !isEmptyDiff(diff);
      reportRebuild(result, reporter);
      if (!globals.json)
        process.stdout.write(`${renderRebuilt(result.state)}\n\nChanges against ${store.path}:\n${renderStateDiff(diff)}\n`);

      let written = false;
      let backup: string | null = null;
      if (changed && !dryRun) {
        if (!yes)
          await confirmOnTerminal(
            `Write this state to ${store.path} (the current file is kept as a backup)? [y/N] `,
            'state:rebuild',
            'nothing was written',
          );
        backup = await store.backup();
        await store.save(result.state);
        written = true;
      }
      if (globals.json) {
        const trusted = result.trusted.map(({ node, hostKey, trust }) => ({ node, fingerprint: hostKeyFingerprint(hostKey), trust }));
        return printJson({
          written,
          dryRun,
          statePath: store.path,
          backup,
          state: result.state,
          diff,
          findings: result.findings,
          trusted,
          health: result.health,
        });
      }
      if (written) process.stderr.write(`✓ state written to ${store.path}${backup ? ` (previous file: ${backup})` : ''}\n`);
      else process.stderr.write(changed ? '· dry run: nothing was written\n' : '· nothing to write\n');
    } finally {
      await release();
    }
  });
}

function renderRebuilt(state: State): string {
  const rows = state.nodes.map((node) => [
    node.name,
    node.status,
    node.ip,
    node.fqdn,
    node.healthPath,
    String(node.dropletId ?? '-'),
    node.dnsRecordId ?? '-',
    activeDeployments(node, state.deployments)
      .map((d) => `${d.domain}→${d.app} (${d.project})`)
      .join(', ') || 'placeholder',
  ]);
  const table = rows.length
    ? renderTable(['NAME', 'STATUS', 'IP', 'FQDN', 'HEALTH', 'DROPLET', 'DNS RECORD', 'SERVES'], rows)
    : '(no nodes)';
  return `Rebuilt state: ${state.nodes.length} node(s), ${state.deployments.length} deployment record(s)\n${table}`;
}

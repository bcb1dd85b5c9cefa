import { mkdir } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import type { State } from '../../state/schema.js';
import type { activeDeployments as ActiveDeployments } from '../../deploy/node-sites.js';
import { defineCommand, flag } from '../../cli/define.js';
import { printJson, renderTable } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';

const options = {
  yes: flag('-y, --yes', 'write without asking (needed without a terminal)', false),
  dryRun: flag('--dry-run', 'show the rebuilt state and the changes, write nothing', false),
};

export const stateRebuildCommand = defineCommand({
  name: 'state:rebuild',
  description: 'Rebuild a lost or stale state file from DigitalOcean, Cloudflare and the nodes themselves',
  options,
  help: `Reads droplets tagged dynia, the zone's A records and each node's /opt/dynia/node.json over SSH, probes
https://<fqdn><health path>, shows the result and the changes against the current file, and writes it after
confirmation (the current file is kept as state.json.bak-<time>). Host keys the current state pinned are
verified; unknown ones are trusted on first use, and the output says so.

What is not whole is reported, never guessed:
  droplet + A record + manifest         active node, with the manifest's health path and deployments
  droplet + manifest, no A record       kept as failed with its deployments (node:create re-creates the record)
  droplet + A record, SSH fails         kept as failed with what the cloud tells: name, ip, droplet, record;
                                        no deployments (run state:rebuild again once it answers)
  droplet + A record, no manifest       kept as failed (node:create finishes it)
  nothing ties a droplet to the zone    left out (no A record and no manifest of this domain)
  A record like <node>.<domain> → IP of no dynia droplet: reported only
Every finding is in --json output under "findings".

Example:
  dynia state:rebuild --dry-run
  dynia state:rebuild --yes --json`,
  run: runStateRebuild,
});

async function runStateRebuild({ yes, dryRun }: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { portsOf, withClients } = await import('../../cli/context.js');
  const { StateStore } = await import('../../state/store.js');
  const { activeDeployments } = await import('../../deploy/node-sites.js');
  const { loadForRebuild, rebuildState, reportRebuild } = await import('./workflow.js');
  const { acquireLock } = await import('../../state/lock.js');
  const { hostKeyFingerprint } = await import('../../remote/host-key.js');
  const { confirmOnTerminal } = await import('../../cli/confirm.js');
  const { diffStates, isEmptyDiff, renderStateDiff } = await import('./diff.js');
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
        process.stdout.write(
          `${renderRebuilt(result.state, activeDeployments)}\n\nChanges against ${store.path}:\n${renderStateDiff(diff)}\n`,
        );

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

function renderRebuilt(state: State, activeDeployments: typeof ActiveDeployments): string {
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

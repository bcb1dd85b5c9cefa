/**
 * The `dynia sandbox` commands as one separately built module (dist/sandbox-cli.js). The published package
 * leaves it out, with everything it pulls in (miniflare, the images, the scripts): the CLI reaches it only
 * through loadSandboxCommands() (sandbox-entry.ts); src/commands/sandbox/command.ts defines their flags and help.
 */
import { buildAndPushApp } from '../../sandbox/apps.js';
import { sandboxDown, sandboxEnv, sandboxStatus, sandboxUp } from '../../sandbox/index.js';
import { formatMs, printJson, renderTable } from './output.js';
import type { GlobalOptions } from './types.js';

const progress = (globals: GlobalOptions) => (message: string) => {
  if (!globals.quiet) process.stderr.write(`  ${message}\n`);
};

export async function sandboxUpCommand(globals: GlobalOptions): Promise<void> {
  const info = await sandboxUp({ onProgress: progress(globals) });
  if (globals.json) return printJson({ dir: info.dir, totalMs: Math.round(info.totalMs), steps: info.steps, env: Object.keys(info.env) });
  if (!globals.quiet)
    process.stderr.write(`✓ sandbox up in ${formatMs(info.totalMs)} (${info.dir})\n  next: eval "$(dynia sandbox env)"\n`);
}

export async function sandboxDownCommand(globals: GlobalOptions): Promise<void> {
  await sandboxDown({ onProgress: progress(globals) });
  if (!globals.quiet) process.stderr.write('✓ sandbox down: nothing of it runs any more\n');
}

export async function sandboxEnvCommand(): Promise<void> {
  process.stdout.write(`${sandboxEnv()}\n`);
}

export async function sandboxStatusCommand(globals: GlobalOptions): Promise<void> {
  const status = await sandboxStatus();
  if (globals.json) return printJson(status);
  const rows = [
    ['dockerd', status.dockerd ? 'running' : 'not running', ''],
    ['daemon (API emulators, workerd)', status.daemonPid ? 'running' : 'not running', status.daemonPid ? `pid ${status.daemonPid}` : ''],
    ...status.services.map((s) => [s.name, s.state, '']),
    ...status.droplets.map((d) => [`droplet ${d.dropletId} (${d.name})`, d.running ? 'running' : 'stopped', d.ip]),
  ];
  process.stdout.write(
    `${renderTable(['PART', 'STATE', 'DETAIL'], rows)}\n${status.up ? 'sandbox is up' : 'sandbox is not (fully) up: dynia sandbox up'}\n`,
  );
}

export interface ImageArgs {
  dir: string;
  name: string;
  buildArg: string[];
}

export async function sandboxImageCommand({ dir, name: hubName, buildArg }: ImageArgs, globals: GlobalOptions): Promise<void> {
  const buildArgs = Object.fromEntries(buildArg.map((kv) => [kv.split('=')[0]!, kv.split('=').slice(1).join('=')]));
  await buildAndPushApp({ dir, hubName, buildArgs });
  if (!globals.quiet) process.stderr.write(`✓ ${hubName} built from ${dir} and pushed to the sandbox registry\n`);
}

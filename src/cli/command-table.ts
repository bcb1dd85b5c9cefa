/**
 * Every command, in the order `dynia --help` lists them. Each is defined in its own file under commands/, which
 * imports at the top only what the definition needs (define.js, the checks, output.js); what run uses (API
 * clients, SSH, state, compose) is imported inside run, so that --help, --version and usage errors load none of
 * it (scripts/build.mjs fails the build if dist/cli.js loads any package but commander at startup).
 */
import { appDeployCommand } from '../commands/app-deploy/command.js';
import { appExecCommand } from '../commands/app-exec/command.js';
import { appListCommand } from '../commands/app-list/command.js';
import { appLogsCommand } from '../commands/app-logs/command.js';
import { appRemoveCommand } from '../commands/app-remove/command.js';
import { appRollbackCommand } from '../commands/app-rollback/command.js';
import { auditCommand } from '../commands/audit/command.js';
import { doctorCommand } from '../commands/doctor/command.js';
import { initCommand } from '../commands/init/command.js';
import { nodeCreateCommand } from '../commands/node-create/command.js';
import { nodeDestroyCommand } from '../commands/node-destroy/command.js';
import { nodeHardenCommand } from '../commands/node-harden/command.js';
import { nodeListCommand } from '../commands/node-list/command.js';
import { nodeTrustCommand } from '../commands/node-trust/command.js';
import { sandboxCommands } from '../commands/sandbox/command.js';
import { slbStatusCommand } from '../commands/slb-status/command.js';
import { slbSyncCommand } from '../commands/slb-sync/command.js';
import { stateRebuildCommand } from '../commands/state-rebuild/command.js';
import { statusCommand } from '../commands/status/command.js';
import type { TableEntry } from './types.js';

export const COMMANDS: readonly TableEntry[] = [
  nodeCreateCommand,
  nodeListCommand,
  nodeDestroyCommand,
  nodeHardenCommand,
  nodeTrustCommand,
  appDeployCommand,
  appRollbackCommand,
  appLogsCommand,
  appListCommand,
  appRemoveCommand,
  appExecCommand,
  statusCommand,
  auditCommand,
  stateRebuildCommand,
  slbSyncCommand,
  slbStatusCommand,
  initCommand,
  doctorCommand,
  sandboxCommands,
];

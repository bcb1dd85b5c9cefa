/**
 * Every command, in the order `dynia --help` lists them. Each is defined in its own file under commands/, which
 * imports at the top only what the definition needs (define.js, the checks, output.js); what run uses (API
 * clients, SSH, state, compose) is imported inside run, so that --help, --version and usage errors load none of
 * it (scripts/build.mjs fails the build if dist/cli.js loads any package but commander at startup).
 */
import { appDeployCommand } from './commands/app-deploy.js';
import { appExecCommand } from './commands/app-exec.js';
import { appListCommand } from './commands/app-list.js';
import { appLogsCommand } from './commands/app-logs.js';
import { appRemoveCommand } from './commands/app-remove.js';
import { appRollbackCommand } from './commands/app-rollback.js';
import { auditCommand } from './commands/audit.js';
import { doctorCommand } from './commands/doctor.js';
import { initCommand } from './commands/init.js';
import { nodeCreateCommand } from './commands/node-create.js';
import { nodeDestroyCommand } from './commands/node-destroy.js';
import { nodeHardenCommand } from './commands/node-harden.js';
import { nodeListCommand } from './commands/node-list.js';
import { nodeTrustCommand } from './commands/node-trust.js';
import { sandboxCommands } from './commands/sandbox.js';
import { slbStatusCommand } from './commands/slb-status.js';
import { slbSyncCommand } from './commands/slb-sync.js';
import { stateRebuildCommand } from './commands/state-rebuild.js';
import { statusCommand } from './commands/status.js';
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

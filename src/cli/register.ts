/**
 * Turns the command table into the commander program. Every command runs through the one action below: its
 * options and arguments are read and checked in the order they are defined, then `run`; any error becomes its
 * message on stderr (and on stdout as JSON with --json) and its exit code.
 */
import type { Command, Option } from 'commander';
import { reportError } from './output.js';
import type { CommandDefinition, GlobalOptions, TableEntry } from './types.js';

export function registerCommands(parent: Command, table: readonly TableEntry[]): void {
  for (const entry of table) {
    if ('subcommands' in entry) registerCommands(parent.command(entry.name).description(entry.description), entry.subcommands);
    else registerCommand(parent, entry);
  }
}

function registerCommand(parent: Command, definition: CommandDefinition): void {
  const command = parent.command(definition.name).description(definition.description);
  const options = Object.entries(definition.options).map(([key, spec]) => {
    const option = command.createOption(spec.flags, spec.description);
    if (spec.default !== undefined) option.default(spec.default);
    if (spec.collect) option.argParser(spec.collect);
    if (spec.required) option.makeOptionMandatory();
    if (spec.conflicts) option.conflicts(spec.conflicts);
    command.addOption(option);
    return { key, option, read: spec.read };
  });
  for (const { name, description } of Object.values(definition.arguments)) command.argument(name, description);
  if (definition.help !== undefined) command.addHelpText('after', `\n${definition.help}`);

  command.action(async () => {
    const globals = globalsOf(command);
    try {
      await definition.run(argsOf(command, options, definition), globals);
    } catch (err) {
      process.exitCode = reportError(err, globals);
    }
  });
}

type Read = { key: string; option: Option; read: (raw: unknown, flag: string) => unknown };

/** The typed values `run` receives; a value that fails its check throws here, before anything runs. */
function argsOf(command: Command, options: readonly Read[], definition: CommandDefinition): Record<string, unknown> {
  const given = command.opts();
  const args: Record<string, unknown> = {};
  for (const { key, option, read } of options) args[key] = read(given[option.attributeName()], option.long ?? option.name());
  Object.entries(definition.arguments).forEach(([key, spec], i) => {
    args[key] = spec.read(command.processedArgs[i]);
  });
  return args;
}

function globalsOf(command: Command): GlobalOptions {
  const { json, quiet, stateDir } = command.optsWithGlobals();
  return { json: json === true, quiet: quiet === true, ...(typeof stateDir === 'string' ? { stateDir } : {}) };
}

/**
 * How a command file defines its command: typed options and arguments, each with its check, and a `run` that
 * receives their values already checked (register.ts reads them before `run`, in the order they are written).
 */
import type {
  ArgumentSpec,
  ArgumentSpecs,
  ArgsOf,
  CommandDefinition,
  CommandGroup,
  CommandSpec,
  OptionSpec,
  OptionSpecs,
} from './types.js';

/** Checks and converts an option's value; `flag` (e.g. `--timeout`) names it in the error. */
type Parse<T> = (value: string, flag: string) => T;

const asGiven: Parse<unknown> = (value) => value;

/** commander hands a `<value>` option its string; anything else is a bug in the definition. */
function text(raw: unknown, flag: string): string {
  if (typeof raw !== 'string') throw new TypeError(`${flag}: expected a string from commander, got ${typeof raw}`);
  return raw;
}

function words(raw: unknown, flag: string): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new TypeError(`${flag}: expected a list from commander, got ${typeof raw}`);
  return raw.map((word) => text(word, flag));
}

/** `--name <value>` that must be given. */
export function required(flags: string, description: string): OptionSpec<string>;
export function required<T>(flags: string, description: string, parse: Parse<T>): OptionSpec<T>;
export function required(flags: string, description: string, parse = asGiven): OptionSpec<unknown> {
  return { flags, description, required: true, read: (raw, flag) => parse(text(raw, flag), flag) };
}

interface OptionalExtra {
  /** Attribute name of an option that may not be given with this one. */
  conflicts?: string;
}

/** `--name <value>` that may be left out (then `undefined`). */
export function optional(flags: string, description: string): OptionSpec<string | undefined>;
export function optional<T>(flags: string, description: string, parse: Parse<T>, extra?: OptionalExtra): OptionSpec<T | undefined>;
export function optional(flags: string, description: string, parse = asGiven, extra: OptionalExtra = {}): OptionSpec<unknown> {
  return { flags, description, ...extra, read: (raw, flag) => (raw === undefined ? undefined : parse(text(raw, flag), flag)) };
}

/** `--name <value>` with a default, which --help shows and which is checked like a given value. */
export function withDefault(flags: string, description: string, value: string): OptionSpec<string>;
export function withDefault<T>(flags: string, description: string, value: string, parse: Parse<T>): OptionSpec<T>;
export function withDefault(flags: string, description: string, value: string, parse = asGiven): OptionSpec<unknown> {
  return { flags, description, default: value, read: (raw, flag) => parse(text(raw, flag), flag) };
}

/** `--yes` or `--no-health`: true or false; `value` is the default --help shows. */
export function flag(flags: string, description: string, value?: boolean): OptionSpec<boolean> {
  return { flags, description, ...(value === undefined ? {} : { default: value }), read: (raw) => raw === true };
}

/** `--env-file <file...>`, or a repeatable option built up by `collect`; `[]` when not given. */
export function list(
  flags: string,
  description: string,
  collect?: (value: string, previous: string[] | undefined) => string[],
): OptionSpec<string[]> {
  return { flags, description, ...(collect ? { collect } : {}), read: words };
}

/** A positional `<name>`. */
export function argument(name: string, description: string): ArgumentSpec<string> {
  return { name, description, read: (raw) => text(raw, name) };
}

/** A positional `<name...>`: every remaining word, checked by `parse`. */
export function variadic<T>(name: string, description: string, parse: (words: string[]) => T): ArgumentSpec<T> {
  return { name, description, read: (raw) => parse(words(raw, name)) };
}

export function defineCommand<O extends OptionSpecs = Record<never, never>, A extends ArgumentSpecs = Record<never, never>>(
  spec: CommandSpec<O, A>,
): CommandDefinition {
  return {
    name: spec.name,
    description: spec.description,
    options: spec.options ?? {},
    arguments: spec.arguments ?? {},
    ...(spec.help === undefined ? {} : { help: spec.help }),
    // register.ts builds `args` from these same specs, so it has the type ArgsOf<O, A>.
    run: (args, globals) => spec.run(args as ArgsOf<O, A>, globals),
  };
}

export function defineGroup(name: string, description: string, subcommands: readonly CommandDefinition[]): CommandGroup {
  return { name, description, subcommands };
}

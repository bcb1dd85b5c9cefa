/**
 * The types the CLI's modules share: the global flags and the shape of a command definition. Kept apart from
 * main.ts so that nothing imports the entry point.
 */

export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
  stateDir?: string;
}

/** One option as commander registers it, and how its value becomes the typed one `run` receives. */
export interface OptionSpec<T> {
  /** commander flags, e.g. `-y, --yes` or `--timeout <duration>`. */
  readonly flags: string;
  readonly description: string;
  /** Shown by --help as `(default: …)`, and read like a given value. */
  readonly default?: string | boolean;
  readonly required?: boolean;
  /** Attribute name of an option that may not be given with this one. */
  readonly conflicts?: string;
  /** commander argParser: builds the raw value of an option given more than once. */
  readonly collect?: (value: string, previous: string[] | undefined) => string[];
  /** Checks and converts commander's raw value; `flag` is the long flag for messages (e.g. `--timeout`). */
  readonly read: (raw: unknown, flag: string) => T;
}

/** One positional argument: `<dir>`, or `<command...>` (every remaining word). */
export interface ArgumentSpec<T> {
  readonly name: string;
  readonly description: string;
  readonly read: (raw: unknown) => T;
}

export type OptionSpecs = Record<string, OptionSpec<unknown>>;
export type ArgumentSpecs = Record<string, ArgumentSpec<unknown>>;

type ValuesOf<S> = { [K in keyof S]: S[K] extends OptionSpec<infer T> | ArgumentSpec<infer T> ? T : never };

/** What `run` receives: every option and argument by its name, typed by its definition. */
export type ArgsOf<O extends OptionSpecs, A extends ArgumentSpecs = Record<never, never>> = ValuesOf<O> & ValuesOf<A>;

/** One command as written in its file (typed). */
export interface CommandSpec<O extends OptionSpecs, A extends ArgumentSpecs> {
  readonly name: string;
  readonly description: string;
  readonly options?: O;
  readonly arguments?: A;
  /** Printed after the options by --help (examples, how it works), as written. */
  readonly help?: string;
  run(args: ArgsOf<O, A>, globals: GlobalOptions): Promise<void>;
}

/** A command as the table holds it (types erased, so that different commands fit in one list). */
export interface CommandDefinition {
  readonly name: string;
  readonly description: string;
  readonly options: OptionSpecs;
  readonly arguments: ArgumentSpecs;
  readonly help?: string;
  run(args: Record<string, unknown>, globals: GlobalOptions): Promise<void>;
}

/** A command that only groups subcommands (`dynia sandbox up`). */
export interface CommandGroup {
  readonly name: string;
  readonly description: string;
  readonly subcommands: readonly CommandDefinition[];
}

export type TableEntry = CommandDefinition | CommandGroup;

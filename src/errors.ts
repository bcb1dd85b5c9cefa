/**
 * Typed errors. Every message names the field, variable or step at fault and, where there is one, the fix.
 * The CLI maps each kind to an exit code; anything else is a bug (exit 70).
 */
export type ErrorKind = 'config' | 'input' | 'state' | 'cloud' | 'remote' | 'health' | 'timeout';

export class DyniaError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** What the user can do about it, printed on its own line. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DyniaError';
  }
}

export const ConfigError = (message: string, hint?: string) => new DyniaError('config', message, hint);
export const InputError = (message: string, hint?: string) => new DyniaError('input', message, hint);
export const StateError = (message: string, hint?: string) => new DyniaError('state', message, hint);
export const RemoteError = (message: string, hint?: string, cause?: unknown) => new DyniaError('remote', message, hint, { cause });
export const HealthError = (message: string, hint?: string) => new DyniaError('health', message, hint);
export const TimeoutError = (message: string, hint?: string) => new DyniaError('timeout', message, hint);

/** An error's first line: what a one-line report (state record, audit line, status, warning) shows of it. */
export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/** Exit codes: 2 bad input/config (nothing changed), 3 state, 4 cloud API, 5 remote, 6 health, 7 timeout. */
export const EXIT_CODES: Record<ErrorKind, number> = {
  input: 2,
  config: 2,
  state: 3,
  cloud: 4,
  remote: 5,
  health: 6,
  timeout: 7,
};

import { RemoteError } from '../errors.js';
import { shellQuote, type Argv } from './quote.js';

export interface ExecOptions {
  /** Fed to the command's stdin (then EOF); the way to pass secrets, never argv. */
  stdin?: string | Buffer;
  timeoutMs?: number;
  /** Return a non-zero exit code instead of throwing. */
  allowFailure?: boolean;
  /** Handed stdout as it arrives, for a command that says something the caller acts on before it ends. */
  onStdout?: (chunk: Buffer) => void;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What workflows need from a node; `SshSession` is the real one, `RecordingRemote` the test double. */
export interface Remote {
  /** The node address, for messages. */
  readonly host: string;
  exec(argv: Argv, options?: ExecOptions): Promise<ExecResult>;
  /** Writes atomically (temp file + rename), creating parent directories. */
  upload(path: string, content: string | Buffer, mode?: number): Promise<void>;
  /** File content as UTF-8, or null when it does not exist. */
  readFile(path: string): Promise<string | null>;
}

const TAIL_LINES = 20;

export const tail = (text: string, lines = TAIL_LINES): string => text.trimEnd().split('\n').slice(-lines).join('\n');

/** An argument longer than this, or of several lines (a script), is shown cut to its start. */
const SHOWN_ARGUMENT_CHARS = 80;

/** A command as an error shows it: its scripts cut to their first line, so the output after it stays in view. */
const shownCommand = (argv: Argv): string =>
  shellQuote(
    argv.map((a) => (a.length > SHOWN_ARGUMENT_CHARS || a.includes('\n') ? `${a.split('\n')[0]!.slice(0, SHOWN_ARGUMENT_CHARS)}…` : a)),
  );

/** The error for a command that exited non-zero: the command, its exit code, the end of its stderr. */
export function commandFailed(host: string, argv: Argv, result: ExecResult) {
  const output = tail(result.stderr) || tail(result.stdout);
  return RemoteError(
    `on ${host}: \`${shownCommand(argv)}\` exited with code ${result.code}${output ? `:\n${output}` : ''}`,
    undefined,
    result,
  );
}

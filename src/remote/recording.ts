import { shellQuote, type Argv } from './quote.js';
import { commandFailed, type ExecOptions, type ExecResult, type Remote } from './remote.js';

export type RecordedCall =
  | { kind: 'exec'; argv: Argv; stdin?: string }
  | { kind: 'upload'; path: string; content: string; mode: number }
  | { kind: 'readFile'; path: string };

/** A command's scripted outcome: its result (missing fields: exit 0, empty output) or an error to throw. */
export type ScriptedAnswer = Partial<ExecResult> | Error;

/** Which commands a rule answers: an argv prefix, a pattern over the quoted command, or a predicate. */
export type CommandMatcher = Argv | RegExp | ((argv: Argv) => boolean);

interface Rule {
  match: CommandMatcher;
  answer: ScriptedAnswer | ((argv: Argv, stdin?: string) => ScriptedAnswer);
  remaining: number;
}

function matches(matcher: CommandMatcher, argv: Argv): boolean {
  if (typeof matcher === 'function') return matcher(argv);
  if (matcher instanceof RegExp) return matcher.test(shellQuote(argv));
  return matcher.every((word, i) => argv[i] === word);
}

/**
 * Test double for `Remote`: records every call, answers commands from a script (first matching rule wins;
 * unmatched commands succeed with no output), keeps uploaded files so `readFile` returns them.
 */
export class RecordingRemote implements Remote {
  readonly calls: RecordedCall[] = [];
  readonly files = new Map<string, string>();
  private readonly rules: Rule[] = [];

  constructor(readonly host = '203.0.113.10') {}

  /** Answers matching commands with `answer`, at most `times` times (then later rules apply). */
  on(match: CommandMatcher, answer: Rule['answer'], times = Infinity): this {
    this.rules.push({ match, answer, remaining: times });
    return this;
  }

  /** Every executed command as shell text, in order (uploads and reads excluded). */
  get commands(): string[] {
    return this.calls.flatMap((call) => (call.kind === 'exec' ? [shellQuote(call.argv)] : []));
  }

  async exec(argv: Argv, options: ExecOptions = {}): Promise<ExecResult> {
    const stdin = options.stdin === undefined ? undefined : options.stdin.toString();
    this.calls.push({ kind: 'exec', argv: [...argv], ...(stdin === undefined ? {} : { stdin }) });
    const rule = this.rules.find((candidate) => candidate.remaining > 0 && matches(candidate.match, argv));
    if (rule) rule.remaining--;
    const answer = typeof rule?.answer === 'function' ? rule.answer(argv, stdin) : (rule?.answer ?? {});
    if (answer instanceof Error) throw answer;
    const result = { code: 0, stdout: '', stderr: '', ...answer };
    if (result.stdout) options.onStdout?.(Buffer.from(result.stdout));
    if (result.code !== 0 && !options.allowFailure) throw commandFailed(this.host, argv, result);
    return result;
  }

  async upload(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
    const text = content.toString();
    this.calls.push({ kind: 'upload', path, content: text, mode });
    this.files.set(path, text);
  }

  async readFile(path: string): Promise<string | null> {
    this.calls.push({ kind: 'readFile', path });
    return this.files.get(path) ?? null;
  }
}

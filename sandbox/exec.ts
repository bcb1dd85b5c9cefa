/** Runs programs as argv arrays (never shell strings). Errors name the program and step, never the arguments. */
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, then stdin is closed. */
  input?: string | Buffer;
  /** Resolve with the exit code instead of rejecting when it is not 0. */
  allowFailure?: boolean;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${file}: could not start (${e.message})`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 128, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (result.code === 0 || opts.allowFailure) return resolve(result);
      const what = args[0] && !args[0].startsWith('-') ? `${file} ${args[0]}` : file;
      const why = signal ? `killed by ${signal}` : `exit ${result.code}`;
      reject(new Error(`${what} failed (${why}): ${tail(result.stderr || result.stdout)}`));
    });
    child.stdin.on('error', () => {}); // the program may exit without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

const tail = (text: string): string => text.trim().split('\n').slice(-5).join('\n');

import { DyniaError, EXIT_CODES } from '../errors.js';
import type { Reporter } from '../lib/steps.js';

/**
 * Human progress goes to stderr, machine output (`--json`) to stdout, so `dynia ... --json | jq` always works.
 */
export function createReporter(opts: { json: boolean; quiet?: boolean }, stream = process.stderr): Reporter {
  const tty = stream.isTTY === true;
  const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
  const write = (line: string) => {
    if (!opts.quiet) stream.write(`${line}\n`);
  };
  return {
    stepStart: (title) => write(`→ ${title} …`),
    stepDone: (title, ms, detail) => write(`✓ ${title} ${dim(`(${formatMs(ms)})`)}${detail ? ` ${detail}` : ''}`),
    stepSkipped: (title, reason) => write(`· ${title} ${dim(`(${reason})`)}`),
    info: (msg) => write(`  ${msg}`),
    warn: (msg) => write(`! ${msg}`),
  };
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints an error the way users need it: what went wrong, then how to fix it; returns the exit code. */
export function reportError(err: unknown, opts: { json: boolean }): number {
  if (err instanceof DyniaError) {
    if (opts.json) printJson({ error: { kind: err.kind, message: err.message, hint: err.hint } });
    process.stderr.write(`✗ ${err.message}\n${err.hint ? `  ${err.hint}\n` : ''}`);
    return EXIT_CODES[err.kind];
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`✗ Unexpected error (a bug in Dynia, please report it):\n${message}\n`);
  return 70;
}

/** A simple aligned table for list commands. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/**
 * The one step runner every workflow uses: a workflow is a list of named steps, run in order, each timed and
 * reported; a failure names the step it happened in.
 */
import { DyniaError } from '../errors.js';

export interface Reporter {
  stepStart(title: string): void;
  stepDone(title: string, ms: number, detail?: string): void;
  stepSkipped(title: string, reason: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export interface Step<C> {
  /** Stable id (e.g. `create-droplet`): timings and node:create's `stepsDone` name the step by it. */
  name: string;
  title: string | ((ctx: C) => string);
  /** Returns a reason to skip (already done), or undefined to run. */
  skip?(ctx: C): string | undefined;
  /** May return a short detail for the progress line. */
  run(ctx: C): Promise<string | void>;
}

export interface StepTiming {
  name: string;
  ms: number;
  skipped: boolean;
}

export async function runSteps<C>(steps: readonly Step<C>[], ctx: C, reporter: Reporter): Promise<StepTiming[]> {
  const timings: StepTiming[] = [];
  for (const step of steps) {
    const title = typeof step.title === 'function' ? step.title(ctx) : step.title;
    const reason = step.skip?.(ctx);
    if (reason) {
      reporter.stepSkipped(title, reason);
      timings.push({ name: step.name, ms: 0, skipped: true });
      continue;
    }
    reporter.stepStart(title);
    const t0 = performance.now();
    try {
      const detail = await step.run(ctx);
      const ms = performance.now() - t0;
      reporter.stepDone(title, ms, detail || undefined);
      timings.push({ name: step.name, ms, skipped: false });
    } catch (err) {
      throw annotate(err, title);
    }
  }
  return timings;
}

/** Prefixes the failing step's title so the user knows where it stopped. */
function annotate(err: unknown, title: string): unknown {
  if (err instanceof DyniaError && !err.message.startsWith('[')) {
    return new DyniaError(err.kind, `[${title}] ${err.message}`, err.hint, { cause: err.cause });
  }
  return err;
}

/** Building check results; a failure's text is the error's own (cloud errors never carry a token). */
import { DyniaError } from '../errors.js';
import type { CheckResult } from './types.js';

export const ok = (id: string, title: string, detail: string): CheckResult => ({ id, title, status: 'ok', detail });
export const fail = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, status: 'fail', detail, fix });
export const skip = (id: string, title: string, reason: string): CheckResult => ({ id, title, status: 'skip', detail: reason });

export const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs one check: its detail when it passes, the error and `fix` when it throws. */
export async function attempt(id: string, title: string, fix: string, run: () => Promise<string>): Promise<CheckResult> {
  try {
    return ok(id, title, await run());
  } catch (error) {
    const hint = error instanceof DyniaError && error.hint && !(error.kind === 'cloud') ? error.hint : fix;
    return fail(id, title, describeError(error), hint);
  }
}

/** A check's own verdict when the call worked but the answer is not good enough. */
export class CheckFailed extends Error {}

/** Building check results; a failure's text is the error's own (cloud errors never carry a token). */
import { CloudError } from '../../cloud/cloud-error.js';
import { DyniaError } from '../../errors.js';
import type { CheckResult } from './types.js';

export const ok = (id: string, title: string, detail: string): CheckResult => ({ id, title, status: 'ok', detail });
export const fail = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, status: 'fail', detail, fix });
export const skip = (id: string, title: string, reason: string): CheckResult => ({ id, title, status: 'skip', detail: reason });

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs one check: its detail when it passes, the error and `fix` when it throws. */
export async function attempt(id: string, title: string, fix: string, run: () => Promise<string>): Promise<CheckResult> {
  try {
    return ok(id, title, await run());
  } catch (error) {
    return fail(id, title, describeError(error), fixFor(error, fix));
  }
}

/**
 * The check's own fix for what it exists to find (a refused token or permission, a wrong id: 4xx); the error's
 * hint for an API that is down, rate-limiting or unreachable (5xx, 429, network), and for a local problem.
 */
function fixFor(error: unknown, fix: string): string {
  if (!(error instanceof DyniaError) || !error.hint) return fix;
  if (!(error instanceof CloudError)) return error.hint;
  const status = error.status;
  return status !== undefined && status < 500 && status !== 429 ? fix : error.hint;
}

/** A check's own verdict when the call worked but the answer is not good enough. */
export class CheckFailed extends Error {}

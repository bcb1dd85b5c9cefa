/**
 * The node's audit log (`/opt/dynia/audit.log`): one JSON line per state-changing command run against the
 * node, saying when, who (local user), what (command and its non-secret arguments) and how it ended. It lives
 * on the node, so every operator's runs end up in the same place.
 */
import { userInfo } from 'node:os';
import { reasonOf } from '../errors.js';
import { appendStdin } from '../node/audit-commands.js';
import type { Remote } from '../remote/remote.js';
import type { WorkflowDeps } from './ports.js';

/** `started` is for node:destroy, which can only log before it deletes the node (and the log with it). */
export type AuditResult = 'ok' | 'failed' | 'started';
export type AuditArgs = Record<string, string | number | boolean | undefined>;

export interface AuditEntry {
  time: string;
  user: string;
  command: string;
  args: AuditArgs;
  result: AuditResult;
  reason?: string;
}

/** Argument names that could carry a secret never reach the log, whatever a caller passes. */
const SECRET_NAME = /token|secret|password|passphrase|credential|private|api[-_]?key/i;
const MAX_REASON = 300;

export function renderAuditLine(entry: AuditEntry): string {
  const args = Object.fromEntries(Object.entries(entry.args).filter(([name, value]) => value !== undefined && !SECRET_NAME.test(name)));
  const reason = entry.reason?.split('\n')[0]?.slice(0, MAX_REASON);
  return `${JSON.stringify({ time: entry.time, user: entry.user, command: entry.command, args, result: entry.result, ...(reason ? { reason } : {}) })}\n`;
}

/** Each line as an entry; a line that is not one (edited by hand, cut off) is kept as raw text. */
export function parseAuditLines(text: string): Array<AuditEntry | { raw: string }> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        const data = JSON.parse(line) as Partial<AuditEntry>;
        if (typeof data.time === 'string' && typeof data.command === 'string' && typeof data.result === 'string') return data as AuditEntry;
      } catch {
        // Falls through to raw.
      }
      return { raw: line };
    });
}

/** The outcome part of an entry from what a workflow ended with (undefined: it succeeded). */
export const auditOutcome = (error: unknown): Pick<AuditEntry, 'result' | 'reason'> =>
  error === undefined ? { result: 'ok' } : { result: 'failed', reason: reasonOf(error) };

export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown'; // no passwd entry for this uid (some containers)
  }
}

/**
 * Appends one line over the command's existing session. Never throws: a lost audit line is reported but
 * must not turn a finished deploy into a failure (or hide the real error of a failed one).
 */
export async function appendAudit(
  remote: Remote | undefined,
  deps: Pick<WorkflowDeps, 'reporter' | 'clock' | 'user'>,
  entry: Omit<AuditEntry, 'time' | 'user'>,
): Promise<void> {
  if (!remote) return;
  const line = renderAuditLine({ time: deps.clock.date().toISOString(), user: deps.user(), ...entry });
  try {
    await remote.exec(appendStdin(), { stdin: line, timeoutMs: 15_000 });
  } catch (error) {
    deps.reporter.warn(`audit line not written on ${remote.host}: ${reasonOf(error)}`);
  }
}

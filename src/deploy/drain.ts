/**
 * The end of a swap, by evidence instead of a fixed sleep: the old version is stopped once Caddy's own
 * upstream pool shows it resolves the alias to the new container (or that nothing is in flight for the site),
 * and then, its door shut (new connections and kept-alive GETs to it reset), that Caddy has nothing in flight at
 * it. Docker cannot take a running container out of the alias's DNS answer without cutting its network, so the old
 * one stays resolvable until it stops; the shut door makes Caddy mark it down and send everything to the new one
 * (drain-commands.ts).
 */
import { HealthError } from '../errors.js';
import { describeUpstreams, parseUpstreams } from '../node/caddy/caddy-upstreams.js';
import {
  ALIAS_FAILED,
  DOOR_SHUT,
  DRAIN_TIMED_OUT,
  IN_FLIGHT_SECONDS,
  RETIRE_FAILED,
  STOPPING,
  drainThen,
  type DrainTarget,
} from '../node/caddy/drain-commands.js';
import { composeContainerName } from '../node/layout.js';
import { tail, type Remote } from '../remote/remote.js';
import type { Clock } from '../lib/clock.js';

/** Bound on the wait: Caddy re-resolves every 200 ms, so anything near this means it does not see the new one. */
export const DRAIN_TIMEOUT_SECONDS = 10;

export interface Drained {
  /** `new`: Caddy's pool holds the new address; `idle`: no request was in flight for the site. */
  evidence: 'new' | 'idle';
  polls: number;
  /**
   * The old version once Caddy dialled the new one: `idle` its port closed and nothing in flight at it; `busy`
   * requests still in flight at it after IN_FLIGHT_SECONDS (stopped anyway); `open` its port could not be closed
   * (no iptables on the node); `gone` it was not running.
   */
  old: 'idle' | 'busy' | 'open' | 'gone';
  /** Requests in flight at the old version when it was stopped (`busy` only; NaN when Caddy did not say). */
  inFlight: number;
  /** The command returned with the old version's stop begun behind its shut door, not yet done. */
  stopping: boolean;
  /** From the start of the command until it returned. */
  ms: number;
}

const VERDICT = new RegExp(
  `^drained (new|idle) (\\d+)\n(?:${DOOR_SHUT}\n)?(?:old (idle|busy) \\d+(?: (\\S+))?|door (open)|old (gone))$`,
  'm',
);
const SHUT = new RegExp(`^${DOOR_SHUT}$`, 'm');
const STOP_BEGUN = new RegExp(`^${STOPPING}$`, 'm');

/** Parses the command's output: both verdict lines, or undefined when it never got that far. */
export function drainVerdict(stdout: string): Omit<Drained, 'ms'> | undefined {
  const match = VERDICT.exec(stdout);
  if (!match) return undefined;
  const old = (match[3] ?? match[5] ?? match[6]) as Drained['old'];
  return {
    evidence: match[1] as 'new' | 'idle',
    polls: Number(match[2]),
    old,
    inFlight: old === 'busy' ? Number(match[4]) : 0,
    stopping: STOP_BEGUN.test(stdout),
  };
}

function neverDrained(remote: Remote, target: DrainTarget, code: number, stderr: string) {
  let last: string;
  try {
    last = describeUpstreams(parseUpstreams(stderr));
  } catch {
    last = tail(stderr, 3) || `exit code ${code}`;
  }
  if (code === ALIAS_FAILED)
    return HealthError(
      `${target.next.container} could not take the alias ${target.takeAlias} on edge on ${remote.host}: ${tail(stderr, 3) || `exit code ${code}`}. ${target.previous.container} was not stopped.`,
      'Check that the container still runs (docker ps -a) and that network edge exists; then deploy again.',
    );
  const what =
    code === DRAIN_TIMED_OUT
      ? `Caddy on ${remote.host} did not send requests to ${target.next.container} within ${target.timeoutSeconds} s`
      : `could not watch Caddy's upstreams on ${remote.host}`;
  return HealthError(
    `${what}; its upstreams in flight: ${last}. ${target.previous.container} was not stopped.`,
    'Check that Caddy runs (docker logs dynia-caddy) and resolves the alias on edge; then deploy again.',
  );
}

/**
 * Waits for the evidence (after taking the alias, when `target.takeAlias`), then retires the compose project
 * `retire` and returns once its stop has begun behind the shut door (else once the old entry's process has
 * exited); throws (without stopping anything) when Caddy never moves on. `onDoorShut` is called as soon as the
 * command says no GET can reach the old version any more.
 */
export async function drainThenStop(
  remote: Remote,
  target: DrainTarget,
  retire: string,
  clock: Pick<Clock, 'now'>,
  onDoorShut?: () => void,
): Promise<Drained> {
  const t0 = clock.now();
  let said: string | undefined = '';
  const onStdout = (chunk: Buffer) => {
    if (said === undefined) return;
    said += chunk.toString('latin1');
    if (!SHUT.test(said)) return;
    said = undefined;
    onDoorShut?.();
  };
  const result = await remote.exec(drainThen(target, retire), {
    allowFailure: true,
    timeoutMs: (target.timeoutSeconds + 300) * 1000,
    ...(onDoorShut ? { onStdout } : {}),
  });
  const verdict = drainVerdict(result.stdout);
  if (!verdict) throw neverDrained(remote, target, result.code, result.stderr);
  if (result.code !== 0)
    throw HealthError(
      `${target.previous.container} could not be ${result.code === RETIRE_FAILED ? 'stopped' : 'retired'} on ${remote.host}: ${tail(result.stderr, 3) || `exit code ${result.code}`}.`,
      'Check Docker on the node (docker ps -a, docker info), then deploy again.',
    );
  return { ...verdict, ms: clock.now() - t0 };
}

/** The drain of a swap: `next` took the alias from the entry container of the `previous` deployment. */
export const swapTarget = (
  nextContainer: string,
  nextPort: number,
  previous: { project: string; entryService: string; entryPort: number },
): DrainTarget => ({
  next: { container: nextContainer, port: nextPort },
  previous: { container: composeContainerName(previous.project, previous.entryService), port: previous.entryPort },
  timeoutSeconds: DRAIN_TIMEOUT_SECONDS,
});

const OLD_SAID: Record<Drained['old'], (d: Drained) => string> = {
  idle: () => 'nothing left in flight at the old one',
  busy: (d) =>
    `${Number.isNaN(d.inFlight) ? 'requests' : `${d.inFlight} request(s)`} still in flight at the old one after ${IN_FLIGHT_SECONDS} s were cut (long-lived: WebSockets, streams)`,
  open: () => "the old one's port could not be closed first (is iptables installed on the node?)",
  gone: () => 'the old one was not running',
};

/** For the step's summary line. */
export const describeDrain = (d: Drained): string =>
  `old version drained and ${d.stopping ? 'its stop begun' : 'stopped'} in ${Math.round(d.ms)} ms (${d.evidence === 'new' ? 'Caddy dials the new one' : 'nothing in flight'}; ${OLD_SAID[d.old](d)})`;

/**
 * A failed start of the new version told in the user's terms (pure): which service's image the node could not
 * pull, and why in one of three kinds (no such image, refused, registry unreachable), or which build failed, with
 * the build's last lines, or which job (a migration another service waits to complete) failed, with its log;
 * else compose's own last lines. Dynia's own command line is left out: the user did not
 * write it, and its quoting buried compose's words. A pull or a build fails before compose recreates anything, so
 * the running version is untouched then; otherwise only when no data service was being recreated in place.
 */
import { DyniaError } from '../../errors.js';
import { tail, type ExecResult } from '../../remote/remote.js';
import type { DeployPlan } from './plan.js';

/** Compose's progress line for a service whose pull failed: ` db Error <reason>` (with a mark on a terminal). */
const PULL_FAILED = /^\s*(?:\S\s+)?([A-Za-z0-9][\w.-]*) Error (.+)$/;
/** The classic builder's and BuildKit's words for a failed build step. */
const BUILD_FAILED = /^(?:The command '.*' returned a non-zero code: \d+|(?:target (\S+): )?failed to solve: .*)$/m;
const LOG_LINES = 15;
/** A log line at most this long: a base image's pull draws its progress bars on one line. */
const LOG_LINE_CHARS = 240;
/** Terminal control sequences (the progress bars' cursor moves and colours). */
const CONTROL = /\x1b\[[0-9;?]*[A-Za-z]|\r/g;

/** The last lines of a build's or a job's log, progress bars stripped and long lines cut. */
const lastLines = (text: string): string =>
  tail(text.replace(CONTROL, ''), LOG_LINES)
    .split('\n')
    .map((line) => (line.length > LOG_LINE_CHARS ? `${line.slice(0, LOG_LINE_CHARS)}…` : line))
    .join('\n');

const WHY: Array<{ test: RegExp; fix: (image: string) => string }> = [
  {
    test: /manifest unknown|not found|repository does not exist/i,
    fix: (image) =>
      `Check the image name and tag (${image}) in the compose file; a private image needs the node logged in to its registry (docker login on the node).`,
  },
  {
    test: /unauthorized|authentication required|denied|forbidden/i,
    fix: (image) => `The registry refused the node: make ${image} public, or log the node in to its registry (docker login on the node).`,
  },
  {
    test: /dial tcp|lookup |no such host|i\/o timeout|connection refused|TLS handshake|server misbehaving|unreachable|deadline exceeded/i,
    fix: () => "The node could not reach the image's registry: check the node's DNS and outbound access, then deploy again.",
  },
];

/** Compose's words when a service waits for a job that exited non-zero. */
const JOB_FAILED = /service "([^"]+)" didn't complete successfully: exit (\d+)/;

/** The job whose failure stopped the start, and the project it ran in (its log is read from there). */
export function failedJob(plan: DeployPlan, result: ExecResult): { service: string; exit: string; project: string } | undefined {
  const [, service, exit] = JOB_FAILED.exec(result.stderr) ?? [];
  if (service === undefined || exit === undefined || !plan.jobs.includes(service)) return undefined;
  return { service, exit, project: plan.data.some((d) => d.service === service) ? plan.dataProject : plan.project };
}

const imageOf = (plan: DeployPlan, service: string): string | undefined => plan.model.services.find((s) => s.name === service)?.image;
const pulled = (plan: DeployPlan, service: string | undefined): boolean => plan.model.services.some((s) => s.name === service && !s.build);

/** The error for `docker compose up` of `plan`'s services exiting non-zero with `result` (`jobLog`: failedJob's log). */
export function startFailed(plan: DeployPlan, result: ExecResult, jobLog?: string): DyniaError {
  const keeps = plan.previous ? ' The running version keeps serving.' : '';
  const untouched = plan.data.every((d) => d.change !== 'changed');
  const where = `on ${plan.node.name}`;
  const pulls = result.stderr
    .split('\n')
    .map((line) => PULL_FAILED.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && pulled(plan, m[1]));
  if (pulls.length > 0) {
    const reason = pulls[0]![2]!.trim();
    const services = [...new Set(pulls.map((m) => m[1]!))];
    const named = services
      .map((s) => {
        const image = imageOf(plan, s);
        return image ? `${s} (${image})` : s;
      })
      .join(', ');
    const fix = WHY.find((w) => w.test.test(reason))?.fix(imageOf(plan, services[0]!) ?? services[0]!) ?? '';
    return new DyniaError('remote', `the node could not pull the image of ${named} ${where}: ${reason}`, `${fix}${keeps}`.trim());
  }
  const build = BUILD_FAILED.exec(result.stderr) ?? BUILD_FAILED.exec(result.stdout);
  if (build) {
    const built = plan.model.services.filter((s) => s.build).map((s) => s.name);
    const service = build[1] ?? (built.length === 1 ? built[0]! : built.join(' or '));
    const log = lastLines(result.stdout);
    return new DyniaError(
      'remote',
      `the build of ${service} failed ${where}: ${build[0]}${log ? `\n--- last lines of the build ---\n${log}` : ''}`,
      `Fix the Dockerfile or the build context of ${service}; \`docker compose build ${service}\` on your machine shows the same.${keeps}`,
    );
  }
  const job = failedJob(plan, result);
  if (job) {
    const log = jobLog === undefined ? '' : lastLines(jobLog);
    return new DyniaError(
      'remote',
      `the job ${job.service} failed ${where} (exit ${job.exit}), so the services that wait for it were not started${log ? `\n--- last lines of its log ---\n${log}` : ''}`,
      `Fix what ${job.service} reports and deploy again; \`docker compose run --rm ${job.service}\` on your machine runs it the same way.${untouched ? keeps : ''}`,
    );
  }
  return new DyniaError(
    'remote',
    `docker compose up failed ${where} (exit ${result.code}):\n${tail(result.stderr) || tail(result.stdout)}`,
    `Fix what compose says above and deploy again.${untouched ? keeps : ''}`,
  );
}

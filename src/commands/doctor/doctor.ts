/**
 * `dynia doctor`: every setting a command will need, checked against the APIs without changing anything.
 * The three groups (DigitalOcean, Cloudflare, local) run in parallel; results come back in a fixed order.
 */
import { cloudflareChecks, digitaloceanChecks } from './cloud-checks.js';
import { acmeCheck, resolverChecks, sshKeyFileCheck } from './local-checks.js';
import { fail, ok } from './result.js';
import type { CheckResult, DoctorPorts, DoctorSettings } from './types.js';

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
}

/** `unparsable`: settings without a check of their own that are malformed (e.g. DYNIA_WORKERS_DEV_URL). */
export async function runDoctor(
  settings: DoctorSettings,
  ports: DoctorPorts,
  unparsable: Array<{ message: string; fix: string }> = [],
): Promise<DoctorReport> {
  const others =
    unparsable.length === 0
      ? ok('settings', 'Other settings are well-formed', 'all parse')
      : fail(
          'settings',
          'Other settings are well-formed',
          unparsable.map((u) => u.message).join(' '),
          unparsable.map((u) => u.fix).join(' '),
        );
  const key = sshKeyFileCheck(settings, ports.readKey);
  const [digitalocean, cloudflare, resolvers, acme] = await Promise.all([
    digitaloceanChecks(settings, ports.digitalocean, key.key),
    cloudflareChecks(settings, ports.cloudflare),
    resolverChecks(settings, ports.queryDns),
    acmeCheck(settings, ports.fetchAcmeDirectory),
  ]);
  // The account half of the key check reads best right under the file half.
  const inAccount = digitalocean.filter((check) => check.id === 'ssh-key-account');
  const checks = [
    others,
    ...digitalocean.filter((check) => check.id !== 'ssh-key-account'),
    ...cloudflare,
    key.result,
    ...inAccount,
    ...resolvers,
    acme,
  ];
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}

/** One line per check, the fix indented under a failure. */
export function renderReport(report: DoctorReport): string {
  const mark = { ok: '✓', fail: '✗', skip: '-' } as const;
  const lines = report.checks.flatMap((check) => [
    `${mark[check.status]} ${check.title}: ${check.status === 'skip' ? `skipped (${check.detail})` : check.detail}`,
    ...(check.fix && check.status === 'fail' ? [`    fix: ${check.fix}`] : []),
  ]);
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  lines.push(failed === 0 ? 'All checks passed.' : `${failed} check(s) failed.`);
  return lines.join('\n');
}

/** The checks that need no cloud token: the SSH key file, each DNS resolver, the ACME directory. */
import { describeResolver } from '../../dns/verdict.js';
import type { LocalKey } from '../node-create/ssh-key.js';
import { attempt, CheckFailed, fail, ok, skip } from './result.js';
import type { CheckResult, DoctorPorts, DoctorSettings } from './types.js';

const KEY_TITLE = 'SSH key file (DYNIA_SSH_KEY) is a private key';

export function sshKeyFileCheck(settings: DoctorSettings, readKey: DoctorPorts['readKey']): { result: CheckResult; key?: LocalKey } {
  const path = settings.sshKeyPath;
  if (!path.ok) return { result: fail('ssh-key-file', KEY_TITLE, path.message, path.fix) };
  try {
    const key = readKey(path.value);
    return {
      result: ok('ssh-key-file', KEY_TITLE, `${path.value} (${key.body.split(' ')[0]}${key.comment ? `, ${key.comment}` : ''})`),
      key,
    };
  } catch (error) {
    const fix = `Point DYNIA_SSH_KEY at your unencrypted private key (not the .pub), or create one: ssh-keygen -t ed25519 -N "" -f ${path.value}`;
    return { result: fail('ssh-key-file', KEY_TITLE, (error as Error).message, fix) };
  }
}

/** A resolver answers when it gives any DNS answer for the domain, NXDOMAIN included; silence or refusal fails. */
export async function resolverChecks(settings: DoctorSettings, queryDns: DoctorPorts['queryDns']): Promise<CheckResult[]> {
  const { resolvers, domain } = settings;
  if (!resolvers.ok) return [fail('dns-resolvers', 'DNS resolvers (DYNIA_DNS_RESOLVERS)', resolvers.message, resolvers.fix)];
  return Promise.all(
    resolvers.value.map(async (resolver) => {
      const id = `dns-resolver-${describeResolver(resolver)}`;
      const title = `DNS resolver ${describeResolver(resolver)} answers`;
      if (!domain.ok) return skip(id, title, 'needs DYNIA_DOMAIN');
      const fix =
        'DYNIA_DNS_RESOLVERS lists the resolvers node:create waits on: use ones that answer from this machine (default 1.1.1.1,8.8.8.8).';
      return attempt(id, title, fix, async () => {
        const answer = await queryDns(domain.value, resolver);
        if ('ips' in answer) return `${domain.value}: ${answer.ips.join(', ') || 'no A records'}`;
        if (answer.error === 'NXDOMAIN' || answer.error === 'no A records') return `${domain.value}: ${answer.error}`;
        throw new CheckFailed(`no usable answer for ${domain.value}: ${answer.error}.`);
      });
    }),
  );
}

const ACME_TITLE = 'ACME directory (DYNIA_ACME_CA) answers';

export async function acmeCheck(settings: DoctorSettings, fetchDirectory: DoctorPorts['fetchAcmeDirectory']): Promise<CheckResult> {
  const { acme } = settings;
  if (!acme.ok) return fail('acme', ACME_TITLE, acme.message, acme.fix);
  const fix = "Check DYNIA_ACME_CA (default: Let's Encrypt) and, for a private CA, DYNIA_ACME_CA_ROOT (the PEM behind its HTTPS).";
  return attempt('acme', ACME_TITLE, fix, async () => {
    const directory = (await fetchDirectory(acme.value.ca, acme.value.caRootPem)) as Record<string, unknown> | null;
    const missing = ['newNonce', 'newAccount', 'newOrder'].filter((key) => typeof directory?.[key] !== 'string');
    if (missing.length > 0) throw new CheckFailed(`${acme.value.ca} is not an ACME directory (no ${missing.join(', ')}).`);
    return acme.value.ca;
  });
}

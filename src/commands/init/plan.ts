/**
 * `dynia init` as data: the defaults it offers, the config.json values the answers become (validated, named
 * by field), and where each token comes from. Tokens are never part of what is written.
 */
import { homedir } from 'node:os';
import type { Config } from '../../config/config.js';
import { ValueError, parseDomain, parsePath } from '../../config/parse.js';
import { DyniaError, InputError } from '../../errors.js';

export interface InitAnswers {
  domain?: string;
  sshKey?: string;
}

const DEFAULT_KEY = '~/.ssh/id_ed25519';

/** What init proposes: the domain already configured, and a key that exists (the configured one, else ~/.ssh/id_ed25519). */
export function initDefaults(config: Config, exists: (path: string) => boolean, home: string = homedir()): InitAnswers {
  const quietly = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (error instanceof DyniaError) return undefined;
      throw error;
    }
  };
  const domain = quietly(() => config.get('dyniaDomain'));
  const configured = config.sourceOf('dyniaSshKey') === 'default' ? undefined : quietly(() => config.get('dyniaSshKey'));
  const sshKey =
    configured && exists(configured) ? configured : exists(parsePath(DEFAULT_KEY, { home, cwd: home })) ? DEFAULT_KEY : undefined;
  return { ...(domain ? { domain } : {}), ...(sshKey ? { sshKey } : {}) };
}

/** The values init writes; bad or missing answers are InputErrors naming the question and the flag. */
export function initValues(answers: InitAnswers): { dyniaDomain: string; dyniaSshKey: string } {
  if (!answers.domain?.trim())
    throw InputError('init needs the domain your Cloudflare zone serves.', 'Pass --domain example.com (or answer the question).');
  if (!answers.sshKey?.trim())
    throw InputError(
      'init needs the SSH private key Dynia logs in with.',
      `Pass --ssh-key ${DEFAULT_KEY}, or create one: ssh-keygen -t ed25519 -N "" -f ~/.ssh/id_ed25519`,
    );
  let dyniaDomain: string;
  try {
    dyniaDomain = parseDomain(answers.domain);
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    throw InputError(`domain "${answers.domain}" ${error.message}.`, 'e.g. --domain example.com');
  }
  return { dyniaDomain, dyniaSshKey: answers.sshKey.trim() };
}

const TOKENS = [
  { key: 'digitaloceanToken', env: 'DIGITALOCEAN_TOKEN' },
  { key: 'cloudflareApiToken', env: 'CLOUDFLARE_API_TOKEN' },
] as const;

/** One line per token: where it comes from, or how to provide it (never into config.json). */
export function tokenLines(config: Config): string[] {
  return TOKENS.map(({ key, env }) => {
    const source = config.sourceOf(key);
    if (source === 'env') return `${env}: from the environment`;
    if (source === 'dotenv') return `${env}: from .env`;
    if (source === 'file') return `${env}: from ${config.configFile} (better kept in the environment or .env)`;
    return `${env}: not set; export it or add ${env}=... to .env (init never writes tokens)`;
  });
}

import { existsSync } from 'node:fs';
import { InputError } from '../../errors.js';
import type { InitAnswers } from './plan.js';
import { defineCommand, flag, optional } from '../../cli/define.js';
import { printJson } from '../../cli/output.js';
import type { ArgsOf, GlobalOptions } from '../../cli/types.js';
import { doctor } from '../doctor/command.js';

const options = {
  domain: optional('--domain <domain>', 'domain served by your Cloudflare zone (default: DYNIA_DOMAIN)'),
  sshKey: optional('--ssh-key <path>', 'SSH private key Dynia logs in with (default: DYNIA_SSH_KEY, else ~/.ssh/id_ed25519 if it exists)'),
  yes: flag('-y, --yes', 'ask nothing: take the flags and the defaults (for scripts)', false),
};

export const initCommand = defineCommand({
  name: 'init',
  description: 'Write .dynia/config.json from two questions (domain, SSH key), then run doctor; tokens stay in the environment or .env',
  options,
  help: 'Example:\n  dynia init\n  dynia init --yes --domain example.com --ssh-key ~/.ssh/dynia',
  run: runInit,
});

async function runInit({ domain, sshKey, yes }: ArgsOf<typeof options>, globals: GlobalOptions): Promise<void> {
  const { configFor } = await import('../../cli/context.js');
  const { renderReport } = await import('../doctor/doctor.js');
  const { mergeConfigFile } = await import('../../config/config-file.js');
  const { initDefaults, initValues, tokenLines } = await import('./plan.js');
  const config = configFor(globals);
  const defaults = initDefaults(config, existsSync);
  const given: InitAnswers = {
    ...(domain ? { domain } : {}),
    ...(sshKey ? { sshKey } : {}),
  };
  const answers = yes ? { ...defaults, ...given } : await ask({ ...defaults, ...given });
  const values = initValues(answers);
  mergeConfigFile(config.configFile, values);
  const say = (line: string) => !globals.quiet && !globals.json && process.stderr.write(`${line}\n`);
  say(`✓ wrote ${config.configFile} (domain ${values.dyniaDomain}, SSH key ${values.dyniaSshKey})`);
  for (const line of tokenLines(configFor(globals))) say(`  ${line}`);
  say('Running dynia doctor:');
  const report = await doctor(globals);
  if (globals.json) printJson({ configFile: config.configFile, values, doctor: report });
  else process.stdout.write(`${renderReport(report)}\n`);
  if (!report.ok) process.exitCode = 2;
}

/** The two questions, each with its default in brackets (Enter keeps it). */
async function ask(defaults: InitAnswers): Promise<InitAnswers> {
  if (!process.stdin.isTTY)
    throw InputError(
      'init asks questions and there is no terminal; nothing was written.',
      'In scripts: dynia init --yes --domain example.com [--ssh-key ~/.ssh/id_ed25519]',
    );
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const question = async (text: string, fallback?: string) =>
      (await rl.question(`${text}${fallback ? ` [${fallback}]` : ''}: `)).trim() || fallback;
    const domain = await question('Domain served by your Cloudflare zone', defaults.domain);
    const sshKey = await question('SSH private key Dynia logs in with', defaults.sshKey);
    return { ...(domain ? { domain } : {}), ...(sshKey ? { sshKey } : {}) };
  } finally {
    rl.close();
  }
}

import type { DoctorReport } from './doctor.js';
import { defineCommand } from '../../cli/define.js';
import { printJson } from '../../cli/output.js';
import type { GlobalOptions } from '../../cli/types.js';

/** Doctor answers quickly: one retry, short timeouts (a check that cannot get through is the finding). */
const CLIENT = { timeoutMs: 10_000, retry: { maxRetries: 1, baseDelayMs: 300 } };

export const doctorCommand = defineCommand({
  name: 'doctor',
  description:
    'Check every setting against the APIs, changing nothing: tokens and their permissions, zone, account, SSH key, resolvers, ACME',
  help: 'One line per check with the fix for each failure; exit 2 when any fails. Tokens are never printed.\n\nExample:\n  dynia doctor\n  dynia doctor --json | jq \'.checks[] | select(.status == "fail")\'',
  run: runDoctorCommand,
});

async function runDoctorCommand(_args: unknown, globals: GlobalOptions): Promise<void> {
  const { renderReport } = await import('./doctor.js');
  const report = await doctor(globals);
  if (globals.json) printJson(report);
  else process.stdout.write(`${renderReport(report)}\n`);
  if (!report.ok) process.exitCode = 2;
}

/** Also the last step of `dynia init`. */
export async function doctor(globals: GlobalOptions): Promise<DoctorReport> {
  const { configFor } = await import('../../cli/context.js');
  const { readDoctorSettings } = await import('./settings.js');
  const { defaultQuery } = await import('../../dns/propagation.js');
  const { CloudflareClient } = await import('../../cloud/cloudflare.js');
  const { DigitalOceanClient } = await import('../../cloud/digitalocean.js');
  const { fetchAcmeDirectory } = await import('./acme-directory.js');
  const { runDoctor } = await import('./doctor.js');
  const { readLocalKey } = await import('../node-create/ssh-key.js');
  const config = configFor(globals);
  const { settings, unparsable } = readDoctorSettings(config);
  const digitalocean = settings.digitaloceanToken.ok
    ? new DigitalOceanClient({ ...CLIENT, token: config.require('digitaloceanToken'), baseUrl: config.require('digitaloceanApiUrl') })
    : undefined;
  const cloudflare = settings.cloudflareApiToken.ok
    ? new CloudflareClient({ ...CLIENT, token: config.require('cloudflareApiToken'), baseUrl: config.require('cloudflareApiUrl') })
    : undefined;
  const resolvers = settings.resolvers.ok ? settings.resolvers.value : [];
  try {
    return await runDoctor(
      settings,
      {
        ...(digitalocean ? { digitalocean } : {}),
        ...(cloudflare ? { cloudflare } : {}),
        readKey: readLocalKey,
        queryDns: (name, resolver) => defaultQuery(name, resolver, 3_000),
        fetchAcmeDirectory: (url, caRootPem) => fetchAcmeDirectory(url, caRootPem, resolvers),
      },
      unparsable,
    );
  } finally {
    await Promise.all([digitalocean?.close(), cloudflare?.close()]);
  }
}

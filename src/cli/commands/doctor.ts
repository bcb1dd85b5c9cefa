import { CloudflareClient } from '../../cloud/cloudflare.js';
import { DigitalOceanClient } from '../../cloud/digitalocean.js';
import { defaultQuery } from '../../dns/propagation.js';
import { fetchAcmeDirectory } from '../../doctor/acme-directory.js';
import { renderReport, runDoctor, type DoctorReport } from '../../doctor/doctor.js';
import { readDoctorSettings } from '../../doctor/settings.js';
import { readLocalKey } from '../../workflows/ssh-key.js';
import { configFor } from '../context.js';
import type { GlobalOptions } from '../main.js';
import { printJson } from '../output.js';

/** Doctor answers quickly: one retry, short timeouts (a check that cannot get through is the finding). */
const CLIENT = { timeoutMs: 10_000, retry: { maxRetries: 1, baseDelayMs: 300 } };

export async function doctorCommand(_opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const report = await doctor(globals);
  if (globals.json) printJson(report);
  else process.stdout.write(`${renderReport(report)}\n`);
  if (!report.ok) process.exitCode = 2;
}

/** Also the last step of `dynia init`. */
export async function doctor(globals: GlobalOptions): Promise<DoctorReport> {
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

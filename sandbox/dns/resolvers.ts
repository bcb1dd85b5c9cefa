/**
 * The sandbox's two "public resolvers": dnsmasq containers that answer only from their hosts dir (re-read through
 * inotify as the publisher writes it) and never forward anything: no upstream servers, so a name outside the
 * sandbox gets REFUSED at once, and a missing name under .test gets NXDOMAIN.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerInfo } from '../docker.js';
import { SANDBOX } from '../layout.js';
import { files } from '../paths.js';
import { ensureService } from '../service.js';
import { renderStaticHosts } from './hosts-file.js';

/** Always present in every resolver, whatever the zones hold. */
export const STATIC_HOSTS_FILE = '00-sandbox';

const STATIC_NAMES = [
  { ip: SANDBOX.pebbleIp, names: ['pebble', 'acme'] },
  { ip: SANDBOX.registryIp, names: ['registry'] },
];
const staticHosts = (): string => renderStaticHosts(STATIC_NAMES);

export function dnsmasqArgs(): string[] {
  return [
    'dnsmasq',
    '--keep-in-foreground',
    '--port=53',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    // Local domains answer NXDOMAIN/NODATA for what the hosts files lack (e.g. AAAA of pebble) instead of REFUSED.
    '--hostsdir=/etc/dynia-dns',
    '--local=/test/',
    ...STATIC_NAMES.flatMap((e) => e.names.map((n) => `--local=/${n}/`)),
    '--local-ttl=1',
    '--log-queries',
    '--log-facility=-',
  ];
}

export async function ensureResolvers(infos: Map<string, ContainerInfo>): Promise<Array<'running' | 'started'>> {
  return Promise.all(
    SANDBOX.containers.resolvers.map(async (name, i) => {
      const dir = files.resolverDir(i);
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      const path = join(dir, STATIC_HOSTS_FILE);
      const text = staticHosts();
      if (readOrEmpty(path) !== text) writeFileSync(path, text, { mode: 0o644 });
      const args = ['-v', `${dir}:/etc/dynia-dns:ro`, SANDBOX.images.acme, ...dnsmasqArgs()];
      return ensureService({ name, ip: SANDBOX.resolverIps[i], args }, infos.get(name));
    }),
  );
}

const readOrEmpty = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

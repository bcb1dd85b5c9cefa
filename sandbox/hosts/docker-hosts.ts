/**
 * HostDriver of the sandbox: each droplet is a `dynia-sandbox/node` container on the sandbox network with its own
 * IP, sshd (root, the account's keys) and its own dockerd (Docker in Docker) using the sandbox registry as Docker
 * Hub mirror and resolver A as DNS. The droplet's user_data is stored at /var/lib/cloud/user-data but not run: the
 * image already has Docker and Compose; only its sshd settings are applied (see user-data-sshd.ts).
 * Everything the emulator needs after its own restart is in the container's labels.
 */
import type { DropletHostRecord, HostDriver } from '../emulators/ports.js';
import { docker, removeContainers } from '../docker.js';
import { SANDBOX } from '../layout.js';
import { registryMirrorUrl } from '../registry/registry.js';
import { DROPLET_ID_LABEL, DROPLET_LABEL, containerName, decodeRecord, encodeRecord, hostnameFor, pickFreeIp } from './droplet-host.js';
import { readSshBanner } from './ssh-banner.js';
import { copySshdConfig, sshdDropins } from './user-data-sshd.js';

export type CreateHostSpec = Parameters<HostDriver['create']>[0];

export interface DockerHostDriverOptions {
  image?: string;
}

/**
 * Not --privileged (runc refuses it where root lacks CAP_SYS_RESOURCE): every other capability, no
 * seccomp/apparmor/masked paths; the image's init makes /sys and the cgroups writable for its dockerd.
 */
const DIND_FLAGS = [
  '--cap-add',
  'ALL',
  '--cap-drop',
  'SYS_RESOURCE',
  '--security-opt',
  'seccomp=unconfined',
  '--security-opt',
  'apparmor=unconfined',
  '--security-opt',
  'systempaths=unconfined',
  // overlay2 needs a real filesystem under /var/lib/docker; anonymous volume, removed with the container.
  '--mount',
  `type=volume,dst=/var/lib/docker,volume-label=${SANDBOX.label}=1`,
];

export class DockerHostDriver implements HostDriver {
  private readonly ips = new Map<number, string>();
  /** Creates run one at a time so two never pick the same free address. */
  private creating: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: DockerHostDriverOptions = {}) {}

  create(spec: CreateHostSpec): Promise<{ ip: string }> {
    const next = this.creating.then(() => this.createNow(spec));
    this.creating = next.catch(() => undefined);
    return next;
  }

  private async createNow(spec: CreateHostSpec): Promise<{ ip: string }> {
    const ip = pickFreeIp((await this.list()).map((h) => h.ip));
    const record: DropletHostRecord = {
      dropletId: spec.dropletId,
      name: spec.name,
      ip,
      tags: [...spec.tags],
      createdAt: new Date().toISOString(),
      sizeSlug: spec.sizeSlug,
      region: spec.region,
      image: spec.image,
    };
    const hostname = hostnameFor(spec.name);
    const resolver = SANDBOX.resolverIps[0];
    const dropins = sshdDropins(spec.userData);
    const name = containerName(spec.dropletId);
    const args = [
      '--name',
      name,
      ...(hostname ? ['--hostname', hostname] : []),
      '--label',
      `${SANDBOX.label}=1`,
      '--label',
      `${DROPLET_ID_LABEL}=${spec.dropletId}`,
      '--label',
      `${DROPLET_LABEL}=${encodeRecord(record)}`,
      '--network',
      SANDBOX.network,
      '--ip',
      ip,
      '--dns',
      resolver,
      '--log-opt',
      'max-size=2m',
      '--log-opt',
      'max-file=2',
      ...DIND_FLAGS,
      '-e',
      `AUTHORIZED_KEY=${spec.authorizedKeys.join('\n')}`,
      '-e',
      `NODE_DNS=${resolver}`,
      '-e',
      `DOCKERD_ARGS=--registry-mirror ${registryMirrorUrl}`,
      ...(spec.userData ? ['-e', `USER_DATA_B64=${Buffer.from(spec.userData).toString('base64')}`] : []),
      this.opts.image ?? SANDBOX.images.node,
    ];
    if (dropins.length === 0) await docker(['run', '-d', ...args]);
    else {
      // Copied in before the host boots, so its sshd starts with them (whichever node image version is there).
      await docker(['create', ...args]);
      await copySshdConfig(name, dropins);
      await docker(['start', name]);
    }
    this.ips.set(spec.dropletId, ip);
    return { ip };
  }

  /** sshd answers with its banner. dockerd inside may still be starting, as on a freshly booted droplet. */
  async isReady(dropletId: number): Promise<boolean> {
    const ip = this.ips.get(dropletId) ?? (await this.list()).find((h) => h.dropletId === dropletId)?.ip;
    if (!ip) return false;
    const banner = await readSshBanner(ip, 22, 1000);
    return banner?.startsWith('SSH-2.0') ?? false;
  }

  async destroy(dropletId: number): Promise<void> {
    await removeContainers([containerName(dropletId)]);
    this.ips.delete(dropletId);
  }

  async list(): Promise<DropletHostRecord[]> {
    const out = await docker(['ps', '-a', '--filter', `label=${DROPLET_ID_LABEL}`, '--format', `{{.Label "${DROPLET_LABEL}"}}`]);
    const hosts = out
      .split('\n')
      .filter(Boolean)
      .map(decodeRecord)
      .filter((r): r is DropletHostRecord => r !== null);
    for (const h of hosts) this.ips.set(h.dropletId, h.ip);
    return hosts.sort((a, b) => a.dropletId - b.dropletId);
  }
}

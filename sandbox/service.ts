/** Starting a sandbox service container only when it is not already running as specified. */
import { createHash } from 'node:crypto';
import { docker, SPEC_LABEL, type ContainerInfo } from './docker.js';
import { SANDBOX } from './layout.js';

export interface ServiceSpec {
  name: string;
  ip: string;
  /** `docker run` options, then the image and its command. */
  args: string[];
}

/**
 * Leaves a running container alone when it was started with the same arguments (a warm `up` only checks);
 * otherwise (re)creates it with the sandbox label, its fixed IP on the sandbox network and bounded logs.
 */
export async function ensureService(spec: ServiceSpec, info: ContainerInfo | undefined): Promise<'running' | 'started'> {
  const hash = createHash('sha256')
    .update(JSON.stringify([spec.ip, spec.args]))
    .digest('hex')
    .slice(0, 16);
  if (info?.state === 'running' && info.spec === hash) return 'running';
  if (info && info.state !== 'missing') await docker(['rm', '-f', spec.name]);
  await docker([
    'run',
    '-d',
    '--name',
    spec.name,
    '--label',
    `${SANDBOX.label}=1`,
    '--label',
    `${SPEC_LABEL}=${hash}`,
    '--network',
    SANDBOX.network,
    '--ip',
    spec.ip,
    '--log-opt',
    'max-size=2m',
    '--log-opt',
    'max-file=2',
    ...spec.args,
  ]);
  return 'started';
}

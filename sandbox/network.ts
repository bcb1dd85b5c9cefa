/** The sandbox's Docker network. */
import { docker } from './docker.js';
import { run } from './exec.js';
import { SANDBOX } from './layout.js';

export async function ensureNetwork(): Promise<'created' | 'present'> {
  const r = await run('docker', ['network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}}{{end}}', SANDBOX.network], {
    allowFailure: true,
  });
  if (r.code === 0) {
    if (r.stdout.trim() !== SANDBOX.subnet) {
      throw new Error(
        `docker network ${SANDBOX.network} has subnet ${r.stdout.trim()}, expected ${SANDBOX.subnet}; remove it with \`docker network rm ${SANDBOX.network}\``,
      );
    }
    return 'present';
  }
  await docker([
    'network',
    'create',
    '--driver',
    'bridge',
    '--subnet',
    SANDBOX.subnet,
    '--gateway',
    SANDBOX.gateway,
    '--label',
    `${SANDBOX.label}=1`,
    SANDBOX.network,
  ]);
  return 'created';
}

export async function removeNetwork(): Promise<void> {
  await run('docker', ['network', 'rm', SANDBOX.network], { allowFailure: true });
}

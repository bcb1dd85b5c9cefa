/** The few Docker CLI calls the sandbox makes, one process each. */
import { run, type RunOptions } from './exec.js';
import { SANDBOX } from './layout.js';

export const docker = async (args: readonly string[], opts?: RunOptions): Promise<string> => (await run('docker', args, opts)).stdout;

/** True when dockerd answers (tests skip themselves otherwise). */
export async function dockerAnswers(): Promise<boolean> {
  const r = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { allowFailure: true, timeoutMs: 10_000 }).catch(() => null);
  return r !== null && r.code === 0;
}

export type ContainerState = 'running' | 'stopped' | 'missing';

/** Label holding a hash of the `docker run` arguments a sandbox service was started with. */
export const SPEC_LABEL = `${SANDBOX.label}.spec`;

export interface ContainerInfo {
  state: ContainerState;
  spec: string;
}

/** State and spec hash of the named containers, in one `docker inspect`. */
export async function inspectContainers(names: readonly string[]): Promise<Map<string, ContainerInfo>> {
  const infos = new Map<string, ContainerInfo>(names.map((n) => [n, { state: 'missing', spec: '' }]));
  const format = `{{.Name}} {{.State.Running}} {{index .Config.Labels "${SPEC_LABEL}"}}`;
  const r = await run('docker', ['inspect', '--type', 'container', '--format', format, ...names], { allowFailure: true });
  for (const line of r.stdout.split('\n')) {
    const [name, running, spec = ''] = line.trim().split(' ');
    if (name) infos.set(name.replace(/^\//, ''), { state: running === 'true' ? 'running' : 'stopped', spec });
  }
  return infos;
}

/** Removes containers (and their anonymous volumes); missing ones are fine. */
export async function removeContainers(names: readonly string[]): Promise<void> {
  if (names.length > 0) await run('docker', ['rm', '-f', '-v', ...names], { allowFailure: true });
}

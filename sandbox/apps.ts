/**
 * Test and demo apps: built on this machine from the sandbox's busybox image (no registry is reachable) and
 * pushed to the sandbox registry under a Docker Hub name, so node hosts pull them like any public image.
 */
import { SANDBOX } from './layout.js';
import { docker } from './docker.js';
import { pushImage } from './registry/registry.js';

export async function buildAndPushApp(opts: { dir: string; hubName: string; buildArgs?: Record<string, string> }): Promise<void> {
  const args = { BASE: SANDBOX.images.busybox, ...opts.buildArgs };
  const local = `dynia-sandbox-apps/${opts.hubName}`;
  await docker(['build', '-q', '-t', local, ...Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]), opts.dir], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  });
  await pushImage(local, opts.hubName);
}

/**
 * The sandbox's Docker Hub: a registry every node host's dockerd uses as its mirror, so unchanged compose files
 * (`image: caddy:2`) pull for real. Pushes go to 127.0.0.1:5000 (the published port): dockerd treats 127.0.0.0/8 as
 * an insecure registry by default, so this machine's Docker needs no configuration.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { docker, type ContainerInfo } from '../docker.js';
import { SANDBOX } from '../layout.js';
import { files } from '../paths.js';
import { fetchWithDeadline } from '../http-probe.js';
import { ensureService } from '../service.js';
import { hubReference } from './hub-name.js';

const pushHost = `127.0.0.1:${SANDBOX.ports.registry}`;

/** The URL node hosts' dockerd use as `--registry-mirror`. */
export const registryMirrorUrl = `http://${SANDBOX.registryIp}:5000`;

export async function ensureRegistry(infos: Map<string, ContainerInfo>): Promise<'running' | 'started'> {
  const name = SANDBOX.containers.registry;
  mkdirSync(files.registryData(), { recursive: true });
  const args = ['-p', `${pushHost}:5000`, '-v', `${files.registryData()}:/var/lib/registry`, SANDBOX.images.registry];
  const result = await ensureService({ name, ip: SANDBOX.registryIp, args }, infos.get(name));
  await waitForRegistry();
  return result;
}

async function waitForRegistry(): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await fetchWithDeadline(`http://${pushHost}/v2/`, {}, 1000).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`registry ${SANDBOX.containers.registry} did not answer on ${pushHost} within 15 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Makes a local image available to node hosts under a Docker Hub name, e.g. pushImage('myapp:dev', 'myorg/app:1'),
 * after which `image: myorg/app:1` pulls inside any node host. Official names get `library/` (caddy:2).
 */
export async function pushImage(localTag: string, hubName: string): Promise<void> {
  const target = `${pushHost}/${hubReference(hubName)}`;
  await docker(['tag', localTag, target]);
  try {
    await docker(['push', '-q', target]);
  } finally {
    await docker(['rmi', target], { allowFailure: true });
  }
}

/** True when the registry serves a manifest for the Hub name. */
export async function registryHas(hubName: string): Promise<boolean> {
  const ref = hubReference(hubName);
  const colon = ref.lastIndexOf(':');
  const url = `http://${pushHost}/v2/${ref.slice(0, colon)}/manifests/${ref.slice(colon + 1)}`;
  const accept = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';
  return fetchWithDeadline(url, { method: 'HEAD', headers: { accept } }, 2000).then(
    (r) => r.ok,
    () => false,
  );
}

/** Pushes SANDBOX.seedImages whose local image changed since the last seeding (or that the registry lacks). */
export async function seedRegistry(): Promise<string[]> {
  const locals = [...new Set(SANDBOX.seedImages.map((s) => s.local))];
  const ids = (await docker(['image', 'inspect', '--format', '{{.Id}}', ...locals])).trim().split('\n');
  const idOf = new Map(locals.map((l, i) => [l, ids[i]]));
  const seeded = readSeeded();
  const pushed: string[] = [];
  for (const { hub, local } of SANDBOX.seedImages) {
    const id = idOf.get(local)!;
    if (seeded[hub] === id && (await registryHas(hub))) continue;
    await pushImage(local, hub);
    seeded[hub] = id;
    pushed.push(hub);
  }
  if (pushed.length > 0) {
    mkdirSync(dirname(files.registrySeeded()), { recursive: true });
    writeFileSync(files.registrySeeded(), `${JSON.stringify(seeded, null, 2)}\n`);
  }
  return pushed;
}

function readSeeded(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(files.registrySeeded(), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

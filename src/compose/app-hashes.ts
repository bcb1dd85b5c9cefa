/**
 * Content hashes of an app: one for the whole deploy (a re-deploy of the same directory is recognisable), one per
 * built service (its image tag, the same in every colour, so a swap never rebuilds differently) and one per data
 * service (its definition plus the files it uses: unchanged means it is left running untouched).
 * Secret files enter only through their scrypt digests (see app-files), so no hash reveals a secret.
 */
import { createHash } from 'node:crypto';
import type { AppFile } from './app-files.js';
import type { AppModel } from './app-model.js';
import type { ComposeFile } from './parse.js';

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

const under = (files: readonly AppFile[], path: string) =>
  files.filter((f) => path === '.' || f.path === path || f.path.startsWith(`${path}/`)).map((f) => [f.path, f.hash, f.mode]);

export function deployHash(input: { composeText: string; interpolationEnv: string; files: readonly AppFile[] }): string {
  return sha({
    compose: createHash('sha256').update(input.composeText).digest('hex'),
    env: createHash('sha256').update(input.interpolationEnv).digest('hex'),
    files: input.files.map((f) => [f.path, f.hash, f.mode]),
  });
}

/** `dynia-<app>-<service>:<hash>` for every service with a local build context. */
export function imageTags(app: string, file: ComposeFile, model: AppModel, files: readonly AppFile[]): Map<string, string> {
  const tags = new Map<string, string>();
  for (const service of model.services) {
    if (service.buildContext === undefined) continue;
    const raw = file.services.find((s) => s.name === service.name)!.raw;
    const hash = sha({ build: raw.build, files: under(files, service.buildContext) }).slice(0, 16);
    tags.set(service.name, `dynia-${app}-${service.name.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}:${hash}`);
  }
  return tags;
}

const namesOf = (list: unknown): string[] =>
  Array.isArray(list)
    ? list.map((item) => (typeof item === 'object' && item !== null ? String((item as { source?: unknown }).source) : String(item)))
    : [];

/** Per data service: its interpolated definition, the top-level objects it uses and every file behind them. */
export function dataHashes(file: ComposeFile, model: AppModel, files: readonly AppFile[]): Record<string, string> {
  const top = file.raw as Record<string, Record<string, unknown> | undefined>;
  const out: Record<string, string> = {};
  for (const service of model.services.filter((s) => s.data)) {
    const raw = file.services.find((s) => s.name === service.name)!.raw;
    const paths = model.refs.filter((r) => r.service === service.name).map((r) => r.path);
    const used: Record<string, unknown> = {};
    for (const key of ['secrets', 'configs'] as const) {
      for (const name of namesOf(raw[key])) {
        const def = top[key]?.[name];
        used[`${key}.${name}`] = def;
        const ref = model.refs.find((r) => r.kind === (key === 'secrets' ? 'secret' : 'config') && r.name === name);
        if (ref) paths.push(ref.path);
      }
    }
    for (const m of service.mounts) if (m.kind === 'volume') used[`volumes.${m.source}`] = top.volumes?.[m.source!];
    out[service.name] = sha({ raw, used, files: paths.sort().flatMap((p) => under(files, p)) });
  }
  return out;
}

/** Uploaded Worker scripts of the account, with the views the API answers with. */
import { createHash } from 'node:crypto';
import { cfError } from './envelope.js';
import { newIdentifier, nowTimestamp } from './ids.js';
import type { MetadataBinding, UploadedScript } from './worker-upload.js';

export interface WorkerScript {
  name: string;
  /** Cloudflare's internal script tag (32 hex). */
  tag: string;
  etag: string;
  createdOn: string;
  modifiedOn: string;
  upload: UploadedScript;
  /** Whether the script answers on `<name>.<subdomain>.workers.dev`. */
  subdomain: { enabled: boolean; previewsEnabled: boolean };
  /** Cron Triggers; kept across uploads, like Cloudflare's. */
  schedules: Array<{ cron: string; createdOn: string; modifiedOn: string }>;
  scriptSettings: { logpush: boolean; tail_consumers: Array<{ service: string }> };
}

export const scriptNotFound = () => cfError(404, 10007, 'This Worker does not exist on your account.');

/** Hash of everything that defines the deployed Worker, like Cloudflare's etag. */
function etagOf(upload: UploadedScript): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ ...upload, modules: upload.modules.map((m) => [m.name, m.type]) }));
  for (const m of upload.modules) hash.update(m.content);
  return hash.digest('hex');
}

export class WorkerScripts {
  private readonly byName = new Map<string, WorkerScript>();

  get(name: string): WorkerScript | undefined {
    return this.byName.get(name);
  }

  list(): WorkerScript[] {
    return [...this.byName.values()];
  }

  /** Creates or replaces a script; a replacement keeps its creation time, tag and workers.dev setting. */
  put(name: string, upload: UploadedScript): WorkerScript {
    const previous = this.byName.get(name);
    const now = nowTimestamp();
    const script: WorkerScript = {
      name,
      tag: previous?.tag ?? newIdentifier(),
      etag: etagOf(upload),
      createdOn: previous?.createdOn ?? now,
      modifiedOn: now,
      upload,
      subdomain: previous?.subdomain ?? { enabled: false, previewsEnabled: false },
      schedules: previous?.schedules ?? [],
      scriptSettings: previous?.scriptSettings ?? { logpush: false, tail_consumers: [] },
    };
    this.byName.set(name, script);
    return script;
  }

  remove(name: string): void {
    this.byName.delete(name);
  }
}

export function scriptView(script: WorkerScript) {
  return {
    id: script.name,
    tag: script.tag,
    etag: script.etag,
    handlers: script.upload.modules.some((m) => /\bscheduled\s*\(/.test(m.content)) ? ['fetch', 'scheduled'] : ['fetch'],
    created_on: script.createdOn,
    modified_on: script.modifiedOn,
    usage_model: 'bundled',
    compatibility_date: script.upload.compatibilityDate,
    compatibility_flags: script.upload.compatibilityFlags,
    logpush: false,
    has_assets: false,
    has_modules: true,
    last_deployed_from: 'api',
  };
}

/** Bindings as the settings endpoint shows them: secret values are never returned. */
function bindingView(binding: MetadataBinding) {
  if (binding.type === 'secret_text') return { type: binding.type, name: binding.name };
  return binding;
}

export function settingsView(script: WorkerScript) {
  return {
    bindings: script.upload.bindings.map(bindingView),
    compatibility_date: script.upload.compatibilityDate,
    compatibility_flags: script.upload.compatibilityFlags,
    logpush: false,
    placement: {},
    tail_consumers: [],
    usage_model: 'bundled',
    tags: [],
  };
}

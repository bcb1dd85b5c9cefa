/** `/accounts/:account_id/workers/scripts[/:script_name[/settings]]`: upload, list, download, delete, settings. */
import { performance } from 'node:perf_hooks';
import { cfError, successEnvelope } from './envelope.js';
import type { RouteContext, Router } from './router.js';
import { assertOwnAccount, type EmulatorState } from './state.js';
import { kvBindings, parseBinding, parseWorkerUpload, runtimeBindings, invalidScript, type UploadedScript } from './worker-upload.js';
import { scriptNotFound, scriptView, settingsView, type WorkerScript } from './worker-scripts.js';

const SCRIPT_NAME = /^[a-z0-9_][a-z0-9-_]*$/;
const MAX_SCRIPT_NAME_LENGTH = 63;

/** First line of a runtime error (e.g. workerd's "Uncaught SyntaxError ..."), as Cloudflare reports it. */
const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

async function settingsPart(ctx: RouteContext): Promise<Record<string, unknown>> {
  const contentType = String(ctx.headers['content-type'] ?? '');
  if (!/^multipart\/form-data/i.test(contentType))
    throw cfError(400, 10001, 'Unsupported or unexpected Content Type (settings are multipart/form-data).');
  const form = await new Request('http://emulator.invalid/', {
    method: 'PATCH',
    headers: { 'content-type': contentType },
    body: new Uint8Array(await ctx.raw()),
  }).formData();
  const part = form.get('settings');
  if (part === null) throw invalidScript('The body has no "settings" part.');
  try {
    const parsed: unknown = JSON.parse(typeof part === 'string' ? part : await part.text());
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw invalidScript('The "settings" part must be a JSON object.');
}

export function registerWorkerScriptHandlers(router: Router, state: EmulatorState): void {
  /** Starts the upload in the runtime; a KV binding must name a namespace of the account. */
  const deploy = async (name: string, upload: UploadedScript): Promise<void> => {
    const kvNamespaces = kvBindings(upload.bindings);
    for (const [binding, id] of Object.entries(kvNamespaces)) {
      if (!state.kv.has(id)) throw invalidScript(`KV namespace '${id}' of binding "${binding}" is not valid.`);
    }
    try {
      await state.runtime.deploy({
        name,
        mainModule: upload.mainModule,
        modules: upload.modules.map(({ name: moduleName, content, type }) => ({ name: moduleName, content, type })),
        bindings: runtimeBindings(upload.bindings),
        ...(Object.keys(kvNamespaces).length ? { kvNamespaces } : {}),
        ...(upload.compatibilityDate ? { compatibilityDate: upload.compatibilityDate } : {}),
      });
    } catch (error) {
      throw invalidScript(firstLine(error));
    }
  };

  const accountChecked = (ctx: RouteContext): void => assertOwnAccount(state, ctx.params.account_id!, ctx.fullPath);
  const existingScript = (ctx: RouteContext): WorkerScript => {
    accountChecked(ctx);
    const script = state.scripts.get(ctx.params.script_name!);
    if (!script) throw scriptNotFound();
    return script;
  };

  router.add('PUT', '/accounts/:account_id/workers/scripts/:script_name', async (ctx) => {
    accountChecked(ctx);
    const name = ctx.params.script_name!;
    if (!SCRIPT_NAME.test(name) || name.length > MAX_SCRIPT_NAME_LENGTH) {
      throw cfError(400, 10016, 'Invalid Worker name: use lowercase letters, digits, "-" and "_" (at most 63).');
    }
    const contentType = ctx.headers['content-type'];
    const upload = await parseWorkerUpload(typeof contentType === 'string' ? contentType : undefined, await ctx.raw());
    const started = performance.now();
    await deploy(name, upload);
    const startupTimeMs = Math.round(performance.now() - started);
    const script = state.scripts.put(name, upload);
    return { json: successEnvelope({ ...scriptView(script), startup_time_ms: startupTimeMs }) };
  });

  router.add('GET', '/accounts/:account_id/workers/scripts', async (ctx) => {
    accountChecked(ctx);
    return { json: successEnvelope(state.scripts.list().map(scriptView)) };
  });

  /** The uploaded modules, as multipart/form-data (Cloudflare's answer for module Workers). */
  router.add('GET', '/accounts/:account_id/workers/scripts/:script_name', async (ctx) => {
    const script = existingScript(ctx);
    const form = new FormData();
    for (const m of script.upload.modules) form.append(m.name, new Blob([m.content], { type: m.contentType }), m.name);
    const response = new Response(form);
    return {
      bytes: new Uint8Array(await response.arrayBuffer()),
      contentType: response.headers.get('content-type') ?? 'multipart/form-data',
    };
  });

  router.add('DELETE', '/accounts/:account_id/workers/scripts/:script_name', async (ctx) => {
    const script = existingScript(ctx);
    await state.runtime.remove(script.name);
    state.scripts.remove(script.name);
    return { json: successEnvelope({ id: script.name }) };
  });

  router.add('GET', '/accounts/:account_id/workers/scripts/:script_name/settings', async (ctx) => ({
    json: successEnvelope(settingsView(existingScript(ctx))),
  }));

  /** multipart/form-data with a `settings` JSON part; given bindings replace all of them and the script restarts. */
  router.add('PATCH', '/accounts/:account_id/workers/scripts/:script_name/settings', async (ctx) => {
    const script = existingScript(ctx);
    const settings = await settingsPart(ctx);
    const upload: UploadedScript = { ...script.upload };
    if (settings.bindings !== undefined) {
      if (!Array.isArray(settings.bindings)) throw invalidScript('settings.bindings must be an array.');
      upload.bindings = settings.bindings.map(parseBinding);
    }
    if (settings.compatibility_date !== undefined) {
      if (typeof settings.compatibility_date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(settings.compatibility_date))
        throw invalidScript('compatibility_date must be a date like 2024-09-23.');
      upload.compatibilityDate = settings.compatibility_date;
    }
    await deploy(script.name, upload);
    return { json: successEnvelope(settingsView(state.scripts.put(script.name, upload))) };
  });
}

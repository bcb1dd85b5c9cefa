/** Parses a module-Worker upload (multipart/form-data: `metadata` JSON part + module parts) like Cloudflare. */
import { cfError, type CfApiError } from './envelope.js';

export type ModuleType = 'esm' | 'commonjs' | 'text' | 'json';

export interface UploadedModule {
  name: string;
  content: string;
  type: ModuleType;
  /** The part's content type, kept to hand the module back on download. */
  contentType: string;
}

export type MetadataBinding =
  | { type: 'plain_text' | 'secret_text'; name: string; text: string }
  | { type: 'json'; name: string; json: unknown }
  | { type: 'kv_namespace'; name: string; namespace_id: string };

export interface UploadedScript {
  mainModule: string;
  compatibilityDate?: string;
  compatibilityFlags: string[];
  bindings: MetadataBinding[];
  modules: UploadedModule[];
}

/** Cloudflare's code for uploads that parse but fail validation. */
export const invalidScript = (message: string): CfApiError => cfError(400, 10021, message);

const MODULE_TYPES: Record<string, ModuleType> = {
  'application/javascript+module': 'esm',
  'text/javascript+module': 'esm',
  'application/javascript': 'commonjs',
  'text/javascript': 'commonjs',
  'text/plain': 'text',
  'application/json': 'json',
};
const IGNORED_TYPES = new Set(['application/source-map']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseBinding(raw: unknown): MetadataBinding {
  if (!isObject(raw) || typeof raw.name !== 'string' || raw.name === '') {
    throw invalidScript('Each binding needs a "type" and a non-empty "name".');
  }
  const { type, name } = raw;
  if ((type === 'plain_text' || type === 'secret_text') && typeof raw.text === 'string') return { type, name, text: raw.text };
  if (type === 'json' && raw.json !== undefined) return { type, name, json: raw.json };
  if (type === 'kv_namespace') {
    if (typeof raw.namespace_id !== 'string' || raw.namespace_id === '')
      throw invalidScript(`Binding "${name}" of type kv_namespace needs a namespace_id.`);
    return { type, name, namespace_id: raw.namespace_id };
  }
  if (type === 'plain_text' || type === 'secret_text' || type === 'json') {
    throw invalidScript(`Binding "${name}" of type ${type} is missing its ${type === 'json' ? 'json' : 'text'} value.`);
  }
  throw invalidScript(
    `Binding "${name}" has unsupported type ${JSON.stringify(type)} (this emulator supports plain_text, secret_text, json, kv_namespace).`,
  );
}

function parseMetadata(raw: string): Omit<UploadedScript, 'modules'> {
  let metadata: unknown;
  try {
    metadata = JSON.parse(raw);
  } catch {
    throw invalidScript('The "metadata" part is not valid JSON.');
  }
  if (!isObject(metadata)) throw invalidScript('The "metadata" part must be a JSON object.');
  const { main_module, body_part, compatibility_date, compatibility_flags = [], bindings = [] } = metadata;
  if (typeof main_module !== 'string' || main_module === '') {
    throw invalidScript(
      body_part === undefined
        ? 'metadata.main_module must name the part holding the main module.'
        : 'Service-worker syntax (body_part) is not supported by this emulator; upload an ES module with main_module.',
    );
  }
  if (compatibility_date !== undefined && (typeof compatibility_date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(compatibility_date))) {
    throw invalidScript('compatibility_date must be a date like 2024-09-23.');
  }
  if (!Array.isArray(compatibility_flags) || !compatibility_flags.every((f) => typeof f === 'string')) {
    throw invalidScript('compatibility_flags must be an array of strings.');
  }
  if (!Array.isArray(bindings)) throw invalidScript('metadata.bindings must be an array.');
  const parsed = bindings.map(parseBinding);
  const names = parsed.map((b) => b.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw invalidScript(`Binding name "${duplicate}" is used more than once.`);
  return { mainModule: main_module, compatibilityDate: compatibility_date, compatibilityFlags: compatibility_flags, bindings: parsed };
}

async function parseModule(name: string, value: FormDataEntryValue): Promise<UploadedModule | undefined> {
  if (typeof value === 'string') {
    throw invalidScript(`Part "${name}" has no filename/content type; module parts must be files with a content type.`);
  }
  const contentType = value.type.split(';')[0]!.trim().toLowerCase();
  if (IGNORED_TYPES.has(contentType)) return undefined;
  const type = MODULE_TYPES[contentType];
  if (!type) throw invalidScript(`Part "${name}" has content type "${value.type}", which this emulator does not run.`);
  return { name, content: await value.text(), type, contentType };
}

/** Reads the upload with the web platform's multipart parser; throws Cloudflare's errors for bad uploads. */
export async function parseWorkerUpload(contentType: string | undefined, body: Buffer): Promise<UploadedScript> {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) {
    throw cfError(400, 10001, 'Unsupported or unexpected Content Type (this emulator accepts module Workers as multipart/form-data).');
  }
  let form: FormData;
  try {
    const init = { method: 'PUT', headers: { 'content-type': contentType }, body, duplex: 'half' } as RequestInit;
    form = await new Request('http://emulator.invalid/upload', init).formData();
  } catch {
    throw cfError(400, 10006, 'Unparseable script body: malformed multipart/form-data.');
  }
  const metadataPart = form.get('metadata');
  if (metadataPart === null) throw invalidScript('The upload has no "metadata" part.');
  const metadata = parseMetadata(typeof metadataPart === 'string' ? metadataPart : await metadataPart.text());
  const parts: Array<[string, FormDataEntryValue]> = [];
  form.forEach((value, name) => parts.push([name, value]));
  const modules: UploadedModule[] = [];
  for (const [name, value] of parts) {
    if (name === 'metadata') continue;
    const module = await parseModule(name, value);
    if (module) modules.push(module);
  }
  const main = modules.find((m) => m.name === metadata.mainModule);
  if (!main) throw invalidScript(`No such module "${metadata.mainModule}": main_module must name an uploaded part.`);
  if (main.type !== 'esm' && main.type !== 'commonjs') throw invalidScript(`Main module "${main.name}" must be JavaScript.`);
  return { ...metadata, modules };
}

/** Bindings as the runtime takes them: strings, with json bindings serialized. */
export function runtimeBindings(bindings: readonly MetadataBinding[]): Record<string, string> {
  const vars = bindings.filter((b) => b.type !== 'kv_namespace');
  return Object.fromEntries(vars.map((b) => [b.name, b.type === 'json' ? JSON.stringify(b.json) : b.text]));
}

/** KV namespace bindings as the runtime takes them: binding name → namespace id. */
export function kvBindings(bindings: readonly MetadataBinding[]): Record<string, string> {
  return Object.fromEntries(bindings.flatMap((b) => (b.type === 'kv_namespace' ? [[b.name, b.namespace_id]] : [])));
}

/** Cloudflare API v4: zones, DNS records and Workers, with the `{success, errors, result}` envelope checked. */
import { FormData } from 'undici';
import { z } from 'zod';
import { describeApiError } from './cloud-error.js';
import { HttpClient, type HttpClientOptions, type HttpRequest } from './http.js';
import { collectPages } from './paginate.js';

const ResultInfo = z.object({
  page: z.number().optional(),
  per_page: z.number().optional(),
  count: z.number().optional(),
  total_count: z.number().optional(),
  total_pages: z.number().optional(),
});

const Zone = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string().optional(),
  account: z.object({ id: z.string() }).optional(),
  /** What the token may do in the zone, e.g. `#dns_records:edit` (deprecated by Cloudflare, still served). */
  permissions: z.array(z.string()).optional(),
});
const Account = z.object({ id: z.string(), name: z.string() });

const DnsRecord = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string(),
  content: z.string(),
  ttl: z.number(),
  proxied: z.boolean().optional(),
});

const WorkerBindingShape = z.looseObject({ type: z.string(), name: z.string() });
const WorkerSettings = z.object({ bindings: z.array(WorkerBindingShape).default([]), compatibility_date: z.string().optional() });
const WorkerRoute = z.object({ id: z.string(), pattern: z.string(), script: z.string().optional() });
const UploadedScript = z.looseObject({ id: z.string().optional(), etag: z.string().optional(), modified_on: z.string().optional() });

export type Zone = z.infer<typeof Zone>;
export type Account = z.infer<typeof Account>;
export type DnsRecord = z.infer<typeof DnsRecord>;
export type WorkerRoute = z.infer<typeof WorkerRoute>;
export type WorkerSettings = z.infer<typeof WorkerSettings>;
export type UploadedScript = z.infer<typeof UploadedScript>;

export interface DnsRecordInput {
  type: string;
  name: string;
  content: string;
  /** Seconds; 1 means "automatic". */
  ttl?: number;
  proxied?: boolean;
}

/** Bindings Dynia gives its Worker: plain text (e.g. one origin) or JSON (e.g. the origin list). */
export type WorkerBinding =
  | { type: 'plain_text'; name: string; text: string }
  | { type: 'json'; name: string; json: unknown }
  | { type: 'kv_namespace'; name: string; namespace_id: string };

const KvNamespace = z.object({ id: z.string(), title: z.string() });
export type KvNamespace = z.infer<typeof KvNamespace>;

export interface WorkerModuleUpload {
  /** File name of the entry module, e.g. `worker.js`; also the multipart part's name. */
  mainModule: string;
  code: string;
  compatibilityDate: string;
  bindings: WorkerBinding[];
}

export type CloudflareOptions = Omit<HttpClientOptions, 'service' | 'baseUrl'> & { baseUrl?: string };

const DNS_PER_PAGE = 5000;
const ZONES_PER_PAGE = 50;

export class CloudflareClient {
  private readonly http: HttpClient;

  constructor(options: CloudflareOptions) {
    this.http = new HttpClient({ ...options, service: 'Cloudflare', baseUrl: options.baseUrl ?? 'https://api.cloudflare.com/client/v4' });
  }

  /** The token's id and status (`active`, `disabled`, `expired`); a rejected token throws (HTTP 401). */
  async verifyToken(): Promise<{ id: string; status: string }> {
    return this.call({ method: 'GET', path: '/user/tokens/verify' }, z.object({ id: z.string(), status: z.string() }));
  }

  async getZone(zoneId: string): Promise<Zone> {
    return this.call({ method: 'GET', path: `/zones/${seg(zoneId)}` }, Zone);
  }

  async findZoneByName(name: string): Promise<Zone | null> {
    const zones = await this.listAll('/zones', { name, per_page: ZONES_PER_PAGE }, Zone);
    return zones.find((zone) => sameName(zone.name, name)) ?? null;
  }

  /** The accounts the token can reach. */
  async listAccounts(): Promise<Account[]> {
    return this.listAll('/accounts', { per_page: ZONES_PER_PAGE }, Account);
  }

  /** Reads one page of the zone's records / the account's Worker scripts, to prove the token may (doctor). */
  async checkDnsReadable(zoneId: string): Promise<void> {
    await this.call({ method: 'GET', path: `/zones/${seg(zoneId)}/dns_records`, query: { per_page: 5, page: 1 } }, z.array(z.unknown()));
  }

  async checkWorkersReadable(accountId: string): Promise<void> {
    await this.call({ method: 'GET', path: `/accounts/${seg(accountId)}/workers/scripts` }, z.array(z.unknown()));
  }

  async listDnsRecords(zoneId: string, filter: { name?: string; type?: string } = {}): Promise<DnsRecord[]> {
    return this.listAll(`/zones/${seg(zoneId)}/dns_records`, { name: filter.name, type: filter.type, per_page: DNS_PER_PAGE }, DnsRecord);
  }

  async createDnsRecord(zoneId: string, record: DnsRecordInput): Promise<DnsRecord> {
    return this.call({ method: 'POST', path: `/zones/${seg(zoneId)}/dns_records`, json: record }, DnsRecord);
  }

  /** Replaces the record (PUT): every field is set from `record`. */
  async updateDnsRecord(zoneId: string, recordId: string, record: DnsRecordInput): Promise<DnsRecord> {
    return this.call({ method: 'PUT', path: `/zones/${seg(zoneId)}/dns_records/${seg(recordId)}`, json: record }, DnsRecord);
  }

  /** True when deleted, false when it was already gone. */
  async deleteDnsRecord(zoneId: string, recordId: string): Promise<boolean> {
    const response = await this.http.request({
      method: 'DELETE',
      path: `/zones/${seg(zoneId)}/dns_records/${seg(recordId)}`,
      allowStatus: [404],
    });
    return response.status !== 404;
  }

  /**
   * Makes `name` have exactly one A record pointing at `ip`: updates a differing one, creates one if none,
   * deletes duplicates. `changed` is false when everything already matched.
   */
  async upsertARecord(
    this: Pick<CloudflareClient, 'listDnsRecords' | 'createDnsRecord' | 'updateDnsRecord' | 'deleteDnsRecord'>,
    zoneId: string,
    wanted: { name: string; ip: string; ttl?: number; proxied?: boolean },
  ): Promise<{ record: DnsRecord; changed: boolean }> {
    const desired = { type: 'A', name: wanted.name, content: wanted.ip, ttl: wanted.ttl ?? 60, proxied: wanted.proxied ?? false };
    const existing = (await this.listDnsRecords(zoneId, { name: wanted.name, type: 'A' })).filter(
      (record) => record.type === 'A' && sameName(record.name, wanted.name),
    );
    if (existing.length === 0) return { record: await this.createDnsRecord(zoneId, desired), changed: true };
    const matches = (record: DnsRecord) =>
      record.content === desired.content && record.ttl === desired.ttl && (record.proxied ?? false) === desired.proxied;
    const keep = existing.find(matches) ?? existing[0]!;
    let changed = false;
    let record = keep;
    if (!matches(keep)) {
      record = await this.updateDnsRecord(zoneId, keep.id, desired);
      changed = true;
    }
    for (const duplicate of existing) {
      if (duplicate.id === keep.id) continue;
      await this.deleteDnsRecord(zoneId, duplicate.id);
      changed = true;
    }
    return { record, changed };
  }

  /** Uploads (creates or replaces) an ES-module Worker: a `metadata` JSON part plus the module part. */
  async uploadWorkerModule(accountId: string, scriptName: string, upload: WorkerModuleUpload): Promise<UploadedScript> {
    const form = () => {
      const data = new FormData();
      const metadata = { main_module: upload.mainModule, compatibility_date: upload.compatibilityDate, bindings: upload.bindings };
      data.append('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }));
      data.append(upload.mainModule, new Blob([upload.code], { type: 'application/javascript+module' }), upload.mainModule);
      return data;
    };
    return this.call({ method: 'PUT', path: scriptPath(accountId, scriptName), form }, UploadedScript);
  }

  /** The script's bindings (and compatibility date), or null when no such script exists. */
  async getWorkerSettings(accountId: string, scriptName: string): Promise<WorkerSettings | null> {
    return this.call({ method: 'GET', path: `${scriptPath(accountId, scriptName)}/settings`, allowStatus: [404] }, WorkerSettings);
  }

  /** The account's workers.dev subdomain (`<subdomain>.workers.dev`). */
  async getWorkersSubdomain(accountId: string): Promise<string> {
    // The 2024 schema names the field `name`; today's API and SDKs call it `subdomain`.
    const result = await this.call(
      { method: 'GET', path: `/accounts/${seg(accountId)}/workers/subdomain` },
      z
        .object({ subdomain: z.string().optional(), name: z.string().optional() })
        .refine((value) => Boolean(value.subdomain ?? value.name), 'no subdomain in the answer'),
    );
    return (result.subdomain ?? result.name)!;
  }

  /** Serves the script on `<script>.<subdomain>.workers.dev`; repeating it is harmless. */
  async enableWorkersDev(accountId: string, scriptName: string): Promise<void> {
    await this.call(
      { method: 'POST', path: `${scriptPath(accountId, scriptName)}/subdomain`, json: { enabled: true }, retrySafe: true },
      z.unknown(),
    );
  }

  async listKvNamespaces(accountId: string): Promise<KvNamespace[]> {
    return this.listAll(`/accounts/${seg(accountId)}/storage/kv/namespaces`, { per_page: 100 }, KvNamespace);
  }

  async createKvNamespace(accountId: string, title: string): Promise<KvNamespace> {
    return this.call({ method: 'POST', path: `/accounts/${seg(accountId)}/storage/kv/namespaces`, json: { title } }, KvNamespace);
  }

  /** A KV value parsed as JSON (the raw text if it is not JSON), or null when the key does not exist. */
  async readKvValue(accountId: string, namespaceId: string, key: string): Promise<unknown> {
    const path = `/accounts/${seg(accountId)}/storage/kv/namespaces/${seg(namespaceId)}/values/${seg(key)}`;
    const response = await this.http.request({ method: 'GET', path, allowStatus: [404] });
    return response.status === 404 ? null : response.body;
  }

  /** The script's Cron Triggers, or null when no such script exists. */
  async getWorkerSchedules(accountId: string, scriptName: string): Promise<string[] | null> {
    const result = await this.call(
      { method: 'GET', path: `${scriptPath(accountId, scriptName)}/schedules`, allowStatus: [404] },
      z.object({ schedules: z.array(z.object({ cron: z.string() })) }),
    );
    return result ? result.schedules.map((s) => s.cron) : null;
  }

  /** Replaces the script's Cron Triggers; repeating it is harmless. */
  async putWorkerSchedules(accountId: string, scriptName: string, crons: readonly string[]): Promise<void> {
    await this.call(
      { method: 'PUT', path: `${scriptPath(accountId, scriptName)}/schedules`, json: crons.map((cron) => ({ cron })), retrySafe: true },
      z.unknown(),
    );
  }

  async listWorkerRoutes(zoneId: string): Promise<WorkerRoute[]> {
    return this.call({ method: 'GET', path: `/zones/${seg(zoneId)}/workers/routes` }, z.array(WorkerRoute));
  }

  async createWorkerRoute(zoneId: string, route: { pattern: string; script: string }): Promise<WorkerRoute> {
    const created = await this.call(
      { method: 'POST', path: `/zones/${seg(zoneId)}/workers/routes`, json: route },
      z.object({ id: z.string() }),
    );
    return { id: created.id, pattern: route.pattern, script: route.script };
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  /** One request; returns the envelope's `result` (null for an allowed 404). */
  private async call<T>(req: HttpRequest & { allowStatus: readonly number[] }, result: z.ZodType<T>): Promise<T | null>;
  private async call<T>(req: HttpRequest, result: z.ZodType<T>): Promise<T>;
  private async call<T>(req: HttpRequest, result: z.ZodType<T>): Promise<T | null> {
    const body = await this.envelope(req, result);
    return body?.result ?? null;
  }

  /** The parsed envelope, or undefined for an allowed non-2xx status. */
  private async envelope<T>(req: HttpRequest, result: z.ZodType<T>) {
    const response = await this.http.request(req);
    if (req.allowStatus?.includes(response.status)) return undefined;
    // A 2xx with success:false still is a failure; its errors[] explain it.
    if (!this.http.parse(z.object({ success: z.boolean() }), response).success) {
      throw this.http.error(req, {
        status: response.status,
        problem: 'the API reported failure',
        apiMessage: describeApiError(response.body),
      });
    }
    return this.http.parse(z.object({ result, result_info: ResultInfo.optional() }), response);
  }

  private async listAll<T>(path: string, query: Record<string, string | number | undefined>, item: z.ZodType<T>): Promise<T[]> {
    return collectPages(`Cloudflare GET ${path}`, async (page) => {
      const body = await this.envelope({ method: 'GET', path, query: { ...query, page } }, z.array(item));
      return { items: body!.result, hasMore: hasMorePages(body!.result_info, body!.result.length) };
    });
  }
}

/** Whether pages follow, from whichever of Cloudflare's counters the answer carries. */
export function hasMorePages(info: z.infer<typeof ResultInfo> | undefined, itemsOnPage: number): boolean {
  if (info?.page === undefined) return false;
  if (info.total_pages !== undefined) return info.page < info.total_pages;
  if (info.total_count !== undefined && info.per_page !== undefined) return info.page * info.per_page < info.total_count;
  return info.per_page !== undefined && itemsOnPage >= info.per_page;
}

const seg = encodeURIComponent;
const scriptPath = (accountId: string, scriptName: string) => `/accounts/${seg(accountId)}/workers/scripts/${seg(scriptName)}`;
const sameName = (a: string, b: string) => a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');

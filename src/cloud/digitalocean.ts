/** DigitalOcean API v2: the few calls Dynia makes, with responses checked against their documented shapes. */
import { z } from 'zod';
import { HttpClient, type HttpClientOptions } from './http.js';
import { collectPages } from './paginate.js';
import { Firewall, firewallBody, type FirewallRequest } from './do-firewall-shapes.js';

const SshKey = z.object({ id: z.number().int(), fingerprint: z.string(), public_key: z.string(), name: z.string() });

const Account = z.object({ email: z.string(), status: z.string(), droplet_limit: z.number().int(), uuid: z.string() });

const Droplet = z.object({
  id: z.number().int(),
  name: z.string(),
  status: z.enum(['new', 'active', 'off', 'archive']),
  created_at: z.string(),
  size_slug: z.string(),
  region: z.object({ slug: z.string() }),
  tags: z.array(z.string()),
  networks: z.object({
    v4: z.array(z.object({ ip_address: z.string(), type: z.enum(['public', 'private']) })).default([]),
  }),
});

/** `links.pages.next` is present while more pages follow. */
const PageLinks = z.object({ links: z.object({ pages: z.object({ next: z.string().optional() }).optional() }).optional() });

export type SshKey = z.infer<typeof SshKey>;
export type Droplet = z.infer<typeof Droplet>;
export type { Firewall, FirewallRequest, InboundRule, OutboundRule } from './do-firewall-shapes.js';
export type Account = z.infer<typeof Account>;

export interface CreateDropletRequest {
  name: string;
  region: string;
  size: string;
  image: string;
  /** IDs or fingerprints of keys already in the account. */
  sshKeys: Array<number | string>;
  tags: string[];
  userData?: string;
}

export type DigitalOceanOptions = Omit<HttpClientOptions, 'service' | 'baseUrl'> & { baseUrl?: string };

/** The largest page DigitalOcean serves, to keep list calls few. */
const PER_PAGE = 200;

export class DigitalOceanClient {
  private readonly http: HttpClient;

  constructor(options: DigitalOceanOptions) {
    this.http = new HttpClient({ ...options, service: 'DigitalOcean', baseUrl: options.baseUrl ?? 'https://api.digitalocean.com' });
  }

  async listSshKeys(): Promise<SshKey[]> {
    return this.listAll('/v2/account/keys', 'ssh_keys', SshKey, {});
  }

  /** Adds a public key (`type base64 [comment]`) to the account; 422 when it is already there. */
  async createSshKey(name: string, publicKey: string): Promise<SshKey> {
    const response = await this.http.request({ method: 'POST', path: '/v2/account/keys', json: { name, public_key: publicKey } });
    return this.http.parse(z.object({ ssh_key: SshKey }), response).ssh_key;
  }

  /** The account behind the token: proves the token is valid and may read the account. */
  async getAccount(): Promise<Account> {
    const response = await this.http.request({ method: 'GET', path: '/v2/account' });
    return this.http.parse(z.object({ account: Account }), response).account;
  }

  /** Reads one item of a list, to prove the token may read it (a scoped token without it gets a 403). */
  async checkListable(path: '/v2/droplets' | '/v2/firewalls'): Promise<void> {
    await this.http.request({ method: 'GET', path, query: { page: 1, per_page: 1 } });
  }

  /** Not retried on 5xx or network errors (it could create a second droplet); find a lost one by tag. */
  async createDroplet(req: CreateDropletRequest): Promise<Droplet> {
    const response = await this.http.request({
      method: 'POST',
      path: '/v2/droplets',
      json: {
        name: req.name,
        region: req.region,
        size: req.size,
        image: req.image,
        ssh_keys: req.sshKeys,
        tags: req.tags,
        ...(req.userData === undefined ? {} : { user_data: req.userData }),
      },
    });
    return this.http.parse(z.object({ droplet: Droplet }), response).droplet;
  }

  /** The droplet, or null when it does not exist (any more). */
  async getDroplet(id: number): Promise<Droplet | null> {
    const response = await this.http.request({ method: 'GET', path: `/v2/droplets/${id}`, allowStatus: [404] });
    if (response.status === 404) return null;
    return this.http.parse(z.object({ droplet: Droplet }), response).droplet;
  }

  async listDroplets(filter: { tagName?: string } = {}): Promise<Droplet[]> {
    return this.listAll('/v2/droplets', 'droplets', Droplet, { tag_name: filter.tagName });
  }

  /** True when deleted, false when it was already gone. */
  async deleteDroplet(id: number): Promise<boolean> {
    const response = await this.http.request({ method: 'DELETE', path: `/v2/droplets/${id}`, allowStatus: [404] });
    return response.status !== 404;
  }

  // ---- Cloud Firewalls ----

  async listFirewalls(): Promise<Firewall[]> {
    return this.listAll('/v2/firewalls', 'firewalls', Firewall, {});
  }

  /** Not retried on 5xx or network errors (it could create a second firewall); find a lost one by name. */
  async createFirewall(req: FirewallRequest): Promise<Firewall> {
    const response = await this.http.request({ method: 'POST', path: '/v2/firewalls', json: firewallBody(req) });
    return this.http.parse(z.object({ firewall: Firewall }), response).firewall;
  }

  /** The firewall, or null when it does not exist (any more). */
  async getFirewall(id: string): Promise<Firewall | null> {
    const response = await this.http.request({ method: 'GET', path: `/v2/firewalls/${encodeURIComponent(id)}`, allowStatus: [404] });
    if (response.status === 404) return null;
    return this.http.parse(z.object({ firewall: Firewall }), response).firewall;
  }

  /** Replaces the whole firewall (rules, droplets, tags) with `req`. */
  async updateFirewall(id: string, req: FirewallRequest): Promise<Firewall> {
    const response = await this.http.request({ method: 'PUT', path: `/v2/firewalls/${encodeURIComponent(id)}`, json: firewallBody(req) });
    return this.http.parse(z.object({ firewall: Firewall }), response).firewall;
  }

  /** Harmless to repeat: assigning a droplet twice leaves it assigned once. */
  async addFirewallDroplets(id: string, dropletIds: number[]): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: `/v2/firewalls/${encodeURIComponent(id)}/droplets`,
      json: { droplet_ids: dropletIds },
      retrySafe: true,
    });
  }

  async removeFirewallDroplets(id: string, dropletIds: number[]): Promise<void> {
    await this.http.request({
      method: 'DELETE',
      path: `/v2/firewalls/${encodeURIComponent(id)}/droplets`,
      json: { droplet_ids: dropletIds },
    });
  }

  /** True when deleted, false when it was already gone. */
  async deleteFirewall(id: string): Promise<boolean> {
    const response = await this.http.request({ method: 'DELETE', path: `/v2/firewalls/${encodeURIComponent(id)}`, allowStatus: [404] });
    return response.status !== 404;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private async listAll<T>(path: string, key: string, item: z.ZodType<T>, query: Record<string, string | undefined>): Promise<T[]> {
    const pageShape = PageLinks.extend({ [key]: z.array(item) });
    return collectPages(`DigitalOcean GET ${path}`, async (page) => {
      const response = await this.http.request({ method: 'GET', path, query: { ...query, page, per_page: PER_PAGE } });
      const body = this.http.parse(pageShape, response) as z.infer<typeof PageLinks> & Record<string, T[]>;
      return { items: body[key]!, hasMore: Boolean(body.links?.pages?.next) };
    });
  }
}

/** The droplet's public IPv4 address, once it has one (a new droplet has none yet). */
export function publicIpv4(droplet: Droplet): string | undefined {
  return droplet.networks.v4.find((network) => network.type === 'public')?.ip_address;
}

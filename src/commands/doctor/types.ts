/** What `dynia doctor` is given (settings as read, narrow API ports) and what it answers (one result per check). */
import type { Account as CfAccount, Zone } from '../../cloud/cloudflare.js';
import type { Account as DoAccount, SshKey } from '../../cloud/digitalocean.js';
import type { DnsAnswer, ResolverAddress } from '../../dns/verdict.js';
import type { LocalKey } from '../node-create/ssh-key.js';

/** A setting as read from the configuration: its value (and where it came from), or why it is unusable. */
export type Read<T> = { ok: true; value: T; source?: string } | { ok: false; message: string; fix: string };

export interface DoctorSettings {
  digitaloceanToken: Read<true>;
  cloudflareApiToken: Read<true>;
  domain: Read<string>;
  /** Unset ids are fine (found from the domain): value undefined. */
  zoneId: Read<string | undefined>;
  accountId: Read<string | undefined>;
  sshKeyPath: Read<string>;
  resolvers: Read<ResolverAddress[]>;
  acme: Read<{ ca: string; caRootPem?: string }>;
}

export interface DoctorDigitalOcean {
  getAccount(): Promise<DoAccount>;
  checkListable(path: '/v2/droplets' | '/v2/firewalls'): Promise<void>;
  listSshKeys(): Promise<SshKey[]>;
}

export interface DoctorCloudflare {
  verifyToken(): Promise<{ id: string; status: string }>;
  getZone(zoneId: string): Promise<Zone>;
  findZoneByName(name: string): Promise<Zone | null>;
  listAccounts(): Promise<CfAccount[]>;
  checkDnsReadable(zoneId: string): Promise<void>;
  checkWorkersReadable(accountId: string): Promise<void>;
}

export interface DoctorPorts {
  /** Absent when the token is unset or malformed (settings say why). */
  digitalocean?: DoctorDigitalOcean;
  cloudflare?: DoctorCloudflare;
  readKey(path: string): LocalKey;
  queryDns(name: string, resolver: ResolverAddress): Promise<DnsAnswer>;
  /** The directory document; throws with a message that says what failed. */
  fetchAcmeDirectory(url: string, caRootPem: string | undefined): Promise<unknown>;
}

export type CheckStatus = 'ok' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do, for a failed check. */
  fix?: string;
}

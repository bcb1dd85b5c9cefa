/**
 * Dev-only contract check: drives a live DigitalOcean emulator (in-memory hosts) through every operation of
 * the official OpenAPI subset and validates each answer's status, headers and body against the contract.
 * Never run by tests (they must not read the contract file).
 *
 *   node --import tsx scripts/contracts/check-do.ts <path to the DigitalOcean OpenAPI subset (do-dynia-subset.bundled.yaml)>
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { MemoryHostDriver } from '../../sandbox/emulators/digitalocean/memory-hosts.js';
import { startDigitalOceanEmulator } from '../../sandbox/emulators/digitalocean/server.js';
import { createValidator, type Schema } from './openapi-validator.js';


const specPath = process.argv[2];
if (!specPath) {
  console.error('usage: check-do.ts <openapi.yaml>');
  process.exit(2);
}
const spec: Schema = parse(readFileSync(specPath, 'utf8'));

const { resolve, check, declaredProperties } = createValidator(spec);

function undeclared(raw: Schema, value: unknown, at: string, warnings: string[]): void {
  const schema = resolve(raw);
  const items = [schema, ...(schema.allOf ?? []).map(resolve)].find((s) => s.items)?.items;
  if (Array.isArray(value)) return items ? value.forEach((v, i) => undeclared(items, v, `${at}[${i}]`, warnings)) : undefined;
  if (typeof value !== 'object' || value === null) return;
  const declared = declaredProperties(schema);
  if (declared.size === 0) return;
  for (const [field, sub] of Object.entries(value as Record<string, unknown>)) {
    const subs = declared.get(field);
    if (!subs) warnings.push(`${at}.${field}: not in the contract`);
    else undeclared(subs[0]!, sub, `${at}.${field}`, warnings);
  }
}

// ---- exchanges ----
const token = `dop_v1_${randomBytes(16).toString('hex')}`;
const hosts = new MemoryHostDriver();

/** SSH wire format: a uint32 length, then the bytes. */
function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An OpenSSH ed25519 public key line for a fresh key pair. */
function newPublicKey(comment: string): string {
  const raw = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return `ssh-ed25519 ${Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]).toString('base64')} ${comment}`;
}

const emulator = await startDigitalOceanEmulator({ port: 0, token, hosts, sshKeys: [{ name: 'initial', publicKey: newPublicKey('initial') }] });
const results: Array<{ label: string; errors: string[]; warnings: string[] }> = [];
const exercised = new Map<string, Set<string>>();

async function exchange(
  label: string,
  method: string,
  template: string,
  path: string,
  opts: { body?: unknown; rawBody?: string; auth?: boolean; expect: number },
): Promise<any> {
  const response = await fetch(emulator.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(opts.auth === false ? {} : { authorization: `Bearer ${token}` }) },
    body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await response.text();
  const errors: string[] = [];
  const warnings: string[] = [];
  const operation = spec.paths?.[template]?.[method.toLowerCase()];
  if (!operation) errors.push(`no operation ${method} ${template} in the contract`);
  if (response.status !== opts.expect) errors.push(`status ${response.status}, expected ${opts.expect}`);
  const declared = operation?.responses?.[String(response.status)] ?? operation?.responses?.default;
  if (operation && !operation.responses?.[String(response.status)]) warnings.push(`status ${response.status} is only covered by "default"`);
  if (operation) exercised.set(operation.operationId, (exercised.get(operation.operationId) ?? new Set()).add(String(response.status)));
  let body: unknown;
  if (declared) {
    const answer = resolve(declared);
    for (const header of Object.keys(answer.headers ?? {})) if (!response.headers.has(header)) errors.push(`missing header ${header}`);
    const schema = answer.content?.['application/json']?.schema;
    if (schema) {
      if (!/^application\/json/.test(response.headers.get('content-type') ?? '')) errors.push('content-type is not application/json');
      try {
        body = JSON.parse(text);
        errors.push(...check(schema, body, 'body').errors);
        undeclared(schema, body, 'body', warnings);
      } catch (error) {
        errors.push(`body is not JSON: ${(error as Error).message}`);
      }
    } else if (text !== '') errors.push('body must be empty');
  }
  results.push({ label: `${method} ${path} → ${response.status} (${label})`, errors, warnings });
  return body;
}

const fault = (spec: object) => fetch(`${emulator.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(spec) });

try {
  await exchange('account', 'GET', '/v2/account', '/v2/account', { expect: 200 });
  await exchange('no token', 'GET', '/v2/account', '/v2/account', { auth: false, expect: 401 });
  await fault({ match: { path: '/v2/account' }, count: 1, status: 429, retryAfter: 2 });
  await exchange('injected', 'GET', '/v2/account', '/v2/account', { expect: 429 });
  await fault({ match: { path: '/v2/account' }, count: 1, status: 500 });
  await exchange('injected', 'GET', '/v2/account', '/v2/account', { expect: 500 });

  const created = await exchange('new key', 'POST', '/v2/account/keys', '/v2/account/keys', { body: { name: 'laptop', public_key: newPublicKey('laptop') }, expect: 201 });
  await exchange('malformed key', 'POST', '/v2/account/keys', '/v2/account/keys', { body: { name: 'bad', public_key: 'ssh-rsa x' }, expect: 422 });
  await exchange('bad JSON', 'POST', '/v2/account/keys', '/v2/account/keys', { rawBody: '{', expect: 400 });
  await exchange('all keys', 'GET', '/v2/account/keys', '/v2/account/keys', { expect: 200 });
  await exchange('paged', 'GET', '/v2/account/keys', '/v2/account/keys?per_page=1&page=2', { expect: 200 });
  await exchange('by id', 'GET', '/v2/account/keys/{ssh_key_identifier}', `/v2/account/keys/${created.ssh_key.id}`, { expect: 200 });
  await exchange('by fingerprint', 'GET', '/v2/account/keys/{ssh_key_identifier}', `/v2/account/keys/${created.ssh_key.fingerprint}`, { expect: 200 });
  await exchange('delete', 'DELETE', '/v2/account/keys/{ssh_key_identifier}', `/v2/account/keys/${created.ssh_key.id}`, { expect: 204 });
  await exchange('gone', 'GET', '/v2/account/keys/{ssh_key_identifier}', `/v2/account/keys/${created.ssh_key.id}`, { expect: 404 });
  await exchange('gone', 'DELETE', '/v2/account/keys/{ssh_key_identifier}', `/v2/account/keys/${created.ssh_key.id}`, { expect: 404 });

  const createBody = { size: 's-1vcpu-1gb', image: 'ubuntu-24-04-x64', region: 'nyc3', ssh_keys: [], tags: ['dynia'], user_data: '#cloud-config\n', backups: true, monitoring: true };
  const single = await exchange('single', 'POST', '/v2/droplets', '/v2/droplets', { body: { ...createBody, name: 'web-1.dynia.test' }, expect: 202 });
  await exchange('multi', 'POST', '/v2/droplets', '/v2/droplets', { body: { ...createBody, names: ['m-1', 'm-2'], tags: ['multi'] }, expect: 202 });
  await exchange('bad name', 'POST', '/v2/droplets', '/v2/droplets', { body: { ...createBody, name: 'bad_name' }, expect: 422 });
  const dropletId = single.droplet.id;
  const actionId = single.links.actions[0].id;
  await exchange('new', 'GET', '/v2/droplets/{droplet_id}', `/v2/droplets/${dropletId}`, { expect: 200 });
  await exchange('in progress', 'GET', '/v2/actions/{action_id}', `/v2/actions/${actionId}`, { expect: 200 });
  hosts.markReady(dropletId);
  await exchange('active', 'GET', '/v2/droplets/{droplet_id}', `/v2/droplets/${dropletId}`, { expect: 200 });
  await exchange('completed', 'GET', '/v2/actions/{action_id}', `/v2/actions/${actionId}`, { expect: 200 });
  await exchange('unknown', 'GET', '/v2/actions/{action_id}', '/v2/actions/1', { expect: 404 });
  await exchange('all', 'GET', '/v2/droplets', '/v2/droplets', { expect: 200 });
  await exchange('tag, paged', 'GET', '/v2/droplets', '/v2/droplets?tag_name=multi&per_page=1', { expect: 200 });
  await exchange('by name', 'GET', '/v2/droplets', '/v2/droplets?name=web-1.dynia.test', { expect: 200 });
  await exchange('delete', 'DELETE', '/v2/droplets/{droplet_id}', `/v2/droplets/${dropletId}`, { expect: 204 });
  await exchange('gone', 'GET', '/v2/droplets/{droplet_id}', `/v2/droplets/${dropletId}`, { expect: 404 });
  await exchange('gone', 'DELETE', '/v2/droplets/{droplet_id}', `/v2/droplets/${dropletId}`, { expect: 404 });
  await exchange('by tag', 'DELETE', '/v2/droplets', '/v2/droplets?tag_name=multi', { expect: 204 });
  await exchange('regions', 'GET', '/v2/regions', '/v2/regions', { expect: 200 });
  await exchange('sizes', 'GET', '/v2/sizes', '/v2/sizes?per_page=2', { expect: 200 });
  // What dynia doctor reads to prove the token may use firewalls (issue 15 brings the rest of /v2/firewalls).
  await exchange('doctor probe', 'GET', '/v2/firewalls', '/v2/firewalls?page=1&per_page=1', { expect: 200 });
  await exchange('doctor probe', 'GET', '/v2/droplets', '/v2/droplets?page=1&per_page=1', { expect: 200 });
} finally {
  await emulator.close();
}

let failed = 0;
for (const { label, errors, warnings } of results) {
  console.log(`${errors.length ? 'FAIL' : 'ok  '} ${label}`);
  for (const error of errors) console.log(`       ✗ ${error}`);
  for (const warning of warnings) console.log(`       ! ${warning}`);
  if (errors.length) failed += 1;
}
const operations = Object.values<Schema>(spec.paths).flatMap((item) => Object.values<Schema>(item).map((op) => op.operationId as string));
console.log('\ncoverage (operation: statuses exercised):');
for (const id of operations) console.log(`  ${exercised.has(id) ? '✓' : '✗'} ${id}: ${[...(exercised.get(id) ?? [])].join(', ') || 'not exercised'}`);
const uncovered = operations.filter((id) => !exercised.has(id));
console.log(`\n${results.length - failed} passed, ${failed} failed; ${operations.length - uncovered.length}/${operations.length} operations exercised`);
process.exit(failed > 0 || uncovered.length > 0 ? 1 : 0);

/**
 * Dev-only contract check: drives a live DigitalOcean emulator (in-memory hosts) through every operation of
 * the official OpenAPI subset and validates each answer's status, headers and body against the contract.
 * Never run by tests (they must not read the contract file).
 *
 *   node --import tsx scripts/contracts/check-do.ts <path to the DigitalOcean OpenAPI subset (do-dynia-subset.bundled.yaml)>
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DigitalOceanClient } from '../../src/cloud/digitalocean.js';
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
  if (Array.isArray(value)) {
    if (items) value.forEach((v, i) => undeclared(items, v, `${at}[${i}]`, warnings));
    return;
  }
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

const emulator = await startDigitalOceanEmulator({
  port: 0,
  token,
  hosts,
  sshKeys: [{ name: 'initial', publicKey: newPublicKey('initial') }],
});
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
  // What this script sends must itself be a valid request, except where a bad one is the point.
  const requestSchema = operation?.requestBody ? resolve(operation.requestBody).content?.['application/json']?.schema : undefined;
  if (requestSchema && opts.body !== undefined && opts.expect < 400)
    errors.push(...check(requestSchema, opts.body, 'request').errors.map((e) => `request: ${e}`));
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

/** Operation template of a concrete path (`/v2/firewalls/abc/droplets` → `/v2/firewalls/{firewall_id}/droplets`). */
function templateOf(method: string, path: string): string | undefined {
  return Object.keys(spec.paths).find((template) => {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(path) && spec.paths[template][method.toLowerCase()];
  });
}

/** Dynia's own DigitalOcean client, through a recording proxy: every request it sends (firewall calls included)
 *  must be an operation of the contract with a valid body. */
async function checkClientRequests(dropletId: number): Promise<void> {
  const seen: Array<{ method: string; path: string; body: unknown }> = [];
  const proxy = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const url = new URL(req.url!, 'http://proxy');
    seen.push({ method: req.method!, path: url.pathname, body: text ? JSON.parse(text) : undefined });
    const answer = await fetch(emulator.url + req.url, {
      method: req.method!,
      headers: { authorization: req.headers.authorization!, 'content-type': 'application/json' },
      body: text || undefined,
    });
    const headers: Record<string, string> = {};
    answer.headers.forEach((value, name) => (headers[name] = value));
    delete headers['content-length'];
    delete headers['content-encoding'];
    res.writeHead(answer.status, headers);
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const client = new DigitalOceanClient({ token, baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
  try {
    const rules = {
      inboundRules: [{ protocol: 'tcp' as const, ports: '22', sources: { addresses: ['0.0.0.0/0'] } }],
      outboundRules: [{ protocol: 'tcp' as const, ports: '0', destinations: { addresses: ['0.0.0.0/0'] } }],
    };
    const created = await client.createFirewall({ name: 'dynia-client', ...rules, dropletIds: [dropletId] });
    await client.listFirewalls();
    await client.getFirewall(created.id);
    await client.updateFirewall(created.id, { name: 'dynia-client', ...rules, dropletIds: [dropletId], tags: [] });
    await client.removeFirewallDroplets(created.id, [dropletId]);
    await client.addFirewallDroplets(created.id, [dropletId]);
    await client.deleteFirewall(created.id);
    const made = await client.createDroplet({
      name: 'client-1',
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      image: 'ubuntu-24-04-x64',
      sshKeys: [],
      tags: ['dynia', 'client-1'],
      userData: '#cloud-config\n',
    });
    await client.listDroplets({ tagName: 'dynia' });
    await client.getDroplet(dropletId);
    await client.deleteDroplet(made.id);
    await client.listSshKeys();
  } finally {
    await client.close();
    proxy.close();
  }
  for (const request of seen) {
    const errors: string[] = [];
    const template = templateOf(request.method, request.path);
    const operation = template ? spec.paths[template][request.method.toLowerCase()] : undefined;
    if (!operation) errors.push('no such operation in the contract');
    const schema = operation?.requestBody ? resolve(operation.requestBody).content?.['application/json']?.schema : undefined;
    if (schema) {
      if (request.body === undefined) errors.push('the operation needs a body');
      else errors.push(...check(schema, request.body, 'request').errors);
    } else if (request.body !== undefined) errors.push('a body the operation does not take');
    results.push({ label: `client ${request.method} ${request.path}`, errors, warnings: [] });
  }
}

const fault = (spec: object) => fetch(`${emulator.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(spec) });

try {
  await exchange('account', 'GET', '/v2/account', '/v2/account', { expect: 200 });
  await exchange('no token', 'GET', '/v2/account', '/v2/account', { auth: false, expect: 401 });
  await fault({ match: { path: '/v2/account' }, count: 1, status: 429, retryAfter: 2 });
  await exchange('injected', 'GET', '/v2/account', '/v2/account', { expect: 429 });
  await fault({ match: { path: '/v2/account' }, count: 1, status: 500 });
  await exchange('injected', 'GET', '/v2/account', '/v2/account', { expect: 500 });

  const created = await exchange('new key', 'POST', '/v2/account/keys', '/v2/account/keys', {
    body: { name: 'laptop', public_key: newPublicKey('laptop') },
    expect: 201,
  });
  await exchange('malformed key', 'POST', '/v2/account/keys', '/v2/account/keys', {
    body: { name: 'bad', public_key: 'ssh-rsa x' },
    expect: 422,
  });
  await exchange('bad JSON', 'POST', '/v2/account/keys', '/v2/account/keys', { rawBody: '{', expect: 400 });
  await exchange('all keys', 'GET', '/v2/account/keys', '/v2/account/keys', { expect: 200 });
  await exchange('paged', 'GET', '/v2/account/keys', '/v2/account/keys?per_page=1&page=2', { expect: 200 });
  await exchange('by id', 'GET', '/v2/account/keys/{ssh_key_identifier}', `/v2/account/keys/${created.ssh_key.id}`, { expect: 200 });
  await exchange('by fingerprint', 'GET', '/v2/account/keys/{ssh_key_identifier}', `/v2/account/keys/${created.ssh_key.fingerprint}`, {
    expect: 200,
  });
  await exchange('delete', 'DELETE', '/v2/account/keys/{ssh_key_identifier}', `/v2/account/keys/${created.ssh_key.id}`, { expect: 204 });
  await exchange('gone', 'GET', '/v2/account/keys/{ssh_key_identifier}', `/v2/account/keys/${created.ssh_key.id}`, { expect: 404 });
  await exchange('gone', 'DELETE', '/v2/account/keys/{ssh_key_identifier}', `/v2/account/keys/${created.ssh_key.id}`, { expect: 404 });

  const createBody = {
    size: 's-1vcpu-1gb',
    image: 'ubuntu-24-04-x64',
    region: 'nyc3',
    ssh_keys: [],
    tags: ['dynia'],
    user_data: '#cloud-config\n',
    backups: true,
    monitoring: true,
  };
  const single = await exchange('single', 'POST', '/v2/droplets', '/v2/droplets', {
    body: { ...createBody, name: 'web-1.dynia.test' },
    expect: 202,
  });
  await exchange('multi', 'POST', '/v2/droplets', '/v2/droplets', {
    body: { ...createBody, names: ['m-1', 'm-2'], tags: ['multi'] },
    expect: 202,
  });
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
  // ---- Cloud Firewalls ----
  const anywhere = { addresses: ['0.0.0.0/0', '::/0'] };
  const fwDroplet = (
    await exchange('for firewalls', 'POST', '/v2/droplets', '/v2/droplets', {
      body: { ...createBody, name: 'fw-1', tags: ['edge'] },
      expect: 202,
    })
  ).droplet.id;
  const fwBody = {
    name: 'dynia-fw-1',
    inbound_rules: [
      { protocol: 'tcp', ports: '22', sources: anywhere },
      { protocol: 'tcp', ports: '443', sources: anywhere },
      { protocol: 'icmp', ports: '0', sources: anywhere },
    ],
    outbound_rules: [{ protocol: 'tcp', ports: '0', destinations: anywhere }],
    droplet_ids: [fwDroplet],
    tags: [],
  };
  const fw = (await exchange('new', 'POST', '/v2/firewalls', '/v2/firewalls', { body: fwBody, expect: 202 })).firewall;
  await exchange('bad name', 'POST', '/v2/firewalls', '/v2/firewalls', { body: { ...fwBody, name: '-x' }, expect: 400 });
  await exchange('all', 'GET', '/v2/firewalls', '/v2/firewalls', { expect: 200 });
  await exchange('paged', 'GET', '/v2/firewalls', '/v2/firewalls?per_page=1&page=1', { expect: 200 });
  await exchange('by id', 'GET', '/v2/firewalls/{firewall_id}', `/v2/firewalls/${fw.id}`, { expect: 200 });
  await exchange('unknown', 'GET', '/v2/firewalls/{firewall_id}', '/v2/firewalls/bb4b2611-3d72-467b-8602-280330ecd65c', { expect: 404 });
  await exchange('narrow 22', 'PUT', '/v2/firewalls/{firewall_id}', `/v2/firewalls/${fw.id}`, {
    body: { ...fwBody, inbound_rules: [{ protocol: 'tcp', ports: '22', sources: { addresses: ['10.0.0.0/8'] } }] },
    expect: 200,
  });
  await exchange('bad ports', 'PUT', '/v2/firewalls/{firewall_id}', `/v2/firewalls/${fw.id}`, {
    body: { ...fwBody, inbound_rules: [{ protocol: 'tcp', ports: '99999', sources: anywhere }] },
    expect: 400,
  });
  await exchange('unknown', 'PUT', '/v2/firewalls/{firewall_id}', '/v2/firewalls/bb4b2611-3d72-467b-8602-280330ecd65c', {
    body: fwBody,
    expect: 404,
  });
  await exchange('droplet', 'GET', '/v2/droplets/{droplet_id}/firewalls', `/v2/droplets/${fwDroplet}/firewalls`, { expect: 200 });
  await exchange('unknown droplet', 'GET', '/v2/droplets/{droplet_id}/firewalls', '/v2/droplets/1/firewalls', { expect: 404 });
  await exchange('remove droplet', 'DELETE', '/v2/firewalls/{firewall_id}/droplets', `/v2/firewalls/${fw.id}/droplets`, {
    body: { droplet_ids: [fwDroplet] },
    expect: 204,
  });
  await exchange('add droplet', 'POST', '/v2/firewalls/{firewall_id}/droplets', `/v2/firewalls/${fw.id}/droplets`, {
    body: { droplet_ids: [fwDroplet] },
    expect: 204,
  });
  await exchange('no ids', 'POST', '/v2/firewalls/{firewall_id}/droplets', `/v2/firewalls/${fw.id}/droplets`, {
    body: { droplet_ids: [] },
    expect: 400,
  });
  await exchange(
    'unknown',
    'DELETE',
    '/v2/firewalls/{firewall_id}/droplets',
    '/v2/firewalls/bb4b2611-3d72-467b-8602-280330ecd65c/droplets',
    { body: { droplet_ids: [fwDroplet] }, expect: 404 },
  );
  await exchange('add tag', 'POST', '/v2/firewalls/{firewall_id}/tags', `/v2/firewalls/${fw.id}/tags`, {
    body: { tags: ['edge'] },
    expect: 204,
  });
  await exchange('bad tag', 'POST', '/v2/firewalls/{firewall_id}/tags', `/v2/firewalls/${fw.id}/tags`, {
    body: { tags: ['a b'] },
    expect: 400,
  });
  await exchange('remove tag', 'DELETE', '/v2/firewalls/{firewall_id}/tags', `/v2/firewalls/${fw.id}/tags`, {
    body: { tags: ['edge'] },
    expect: 204,
  });
  await exchange('unknown', 'DELETE', '/v2/firewalls/{firewall_id}/tags', '/v2/firewalls/bb4b2611-3d72-467b-8602-280330ecd65c/tags', {
    body: { tags: ['edge'] },
    expect: 404,
  });
  await exchange('add rule', 'POST', '/v2/firewalls/{firewall_id}/rules', `/v2/firewalls/${fw.id}/rules`, {
    body: { inbound_rules: [{ protocol: 'tcp', ports: '80', sources: anywhere }] },
    expect: 204,
  });
  await exchange('no rules', 'POST', '/v2/firewalls/{firewall_id}/rules', `/v2/firewalls/${fw.id}/rules`, { body: {}, expect: 400 });
  await exchange('remove rule', 'DELETE', '/v2/firewalls/{firewall_id}/rules', `/v2/firewalls/${fw.id}/rules`, {
    body: { inbound_rules: [{ protocol: 'tcp', ports: '80', sources: anywhere }] },
    expect: 204,
  });
  await exchange('unknown', 'DELETE', '/v2/firewalls/{firewall_id}/rules', '/v2/firewalls/bb4b2611-3d72-467b-8602-280330ecd65c/rules', {
    body: { inbound_rules: fwBody.inbound_rules },
    expect: 404,
  });
  await exchange('delete', 'DELETE', '/v2/firewalls/{firewall_id}', `/v2/firewalls/${fw.id}`, { expect: 204 });
  await exchange('gone', 'DELETE', '/v2/firewalls/{firewall_id}', `/v2/firewalls/${fw.id}`, { expect: 404 });
  await checkClientRequests(fwDroplet);
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
for (const id of operations)
  console.log(`  ${exercised.has(id) ? '✓' : '✗'} ${id}: ${[...(exercised.get(id) ?? [])].join(', ') || 'not exercised'}`);
const uncovered = operations.filter((id) => !exercised.has(id));
console.log(
  `\n${results.length - failed} passed, ${failed} failed; ${operations.length - uncovered.length}/${operations.length} operations exercised`,
);
process.exit(failed > 0 || uncovered.length > 0 ? 1 : 0);

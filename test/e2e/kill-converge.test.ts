/**
 * Real SIGKILLs of node:create on the sandbox at moments spread over its whole run (in every step, some
 * right at its start, some inside it), each followed by the plain same command: the re-run takes over the
 * dead run's lock, converges to one droplet, one A record and a node serving HTTPS, and state says exactly
 * that. `DYNIA_FAULT_MATRIX=<file>` appends one row per kill.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cli, destroyNodes, httpsGet, newStateDir, readState, resolveInSandbox, runAndKill, skipReason } from './helpers.js';

const skip = skipReason();
/** Kill this long after the step whose title starts so begins (its `→ title …` progress line). */
const KILL_AT: Array<[step: string, ms: number]> = [
  ['Find the SSH key', 0],
  ['Create droplet', 0],
  ['Create droplet', 40],
  ['Put the droplet behind', 20],
  ['Wait for the droplet to boot', 300],
  ['Point ', 15],
  ['Wait until the resolvers', 400],
  ['Connect over SSH', 80],
  ['Create network edge', 30],
  ['Pull the Caddy image', 150],
  ['Start Caddy', 200],
  ['Route ', 40],
  ['Check https', 100],
  ['Record the node', 0],
];

const api = async (base: string, token: string, path: string) =>
  (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<any>;
const dropletsNamed = async (name: string) =>
  (
    (await api(process.env.DIGITALOCEAN_API_URL!, process.env.DIGITALOCEAN_TOKEN!, `/v2/droplets?tag_name=${name}&per_page=200`))
      .droplets as any[]
  ).filter((d) => d.name === name);
const row = (line: string) => process.env.DYNIA_FAULT_MATRIX && appendFileSync(process.env.DYNIA_FAULT_MATRIX, line);
const recordsNamed = async (fqdn: string) =>
  (
    await api(
      process.env.CLOUDFLARE_API_URL!,
      process.env.CLOUDFLARE_API_TOKEN!,
      `/zones/${process.env.CLOUDFLARE_ZONE_ID}/dns_records?name=${fqdn}&type=A`,
    )
  ).result as any[];

describe('node:create killed at any moment converges on the first re-run', { skip }, () => {
  const stateDir = newStateDir();
  const names = KILL_AT.map((_, i) => `e2e-k${i}`);
  after(async () => destroyNodes(stateDir, names));

  KILL_AT.forEach(([step, ms], i) => {
    const name = names[i]!;
    test(`SIGKILL ${ms} ms into "${step.trim()}…", then the same command`, async () => {
      const killed = await runAndKill(['node:create', '--name', name], stateDir, step, ms);
      assert.ok(!killed.ended, `the run had already ended: ${killed.last}`);
      const atKill = readState(stateDir).nodes.find((n: any) => n.name === name);
      const lockLeft = existsSync(join(stateDir, 'state.lock'));

      const rerun = await cli(['node:create', '--name', name], { stateDir });
      const alreadyDone = atKill?.status === 'active';
      if (alreadyDone) assert.match(rerun.stderr, /already exists/);
      else assert.equal(rerun.code, 0, rerun.stderr);
      if (lockLeft) assert.match(rerun.stderr, /took over the state lock left by pid \d+ .*no longer runs/);

      const node = readState(stateDir).nodes.find((n: any) => n.name === name);
      assert.equal(node.status, 'active');
      const droplets = await dropletsNamed(name);
      assert.deepEqual(
        droplets.map((d) => d.id),
        [node.dropletId],
        'exactly one droplet, the one state names',
      );
      assert.equal(droplets[0].networks.v4.find((n: any) => n.type === 'public').ip_address, node.ip);
      const records = await recordsNamed(node.fqdn);
      assert.deepEqual(
        records.map((r) => [r.id, r.content]),
        [[node.dnsRecordId, node.ip]],
        'exactly one A record, the one state names',
      );
      const firewalls = (
        (await api(process.env.DIGITALOCEAN_API_URL!, process.env.DIGITALOCEAN_TOKEN!, '/v2/firewalls?per_page=200')).firewalls as any[]
      ).filter((f) => f.name === `dynia-${name}`);
      assert.deepEqual(
        firewalls.map((f) => [f.id, f.droplet_ids]),
        [[node.firewall.id, [node.dropletId]]],
        'exactly one firewall, the one state names, on its droplet',
      );
      assert.deepEqual(await resolveInSandbox(node.fqdn), [node.ip]);
      const page = await httpsGet(`https://${node.fqdn}/`);
      assert.equal(page.status, 200);
      assert.match(page.body, new RegExp(`Dynia node ${name} is ready`));

      const repaired = rerun.stderr
        .split('\n')
        .filter((l) => /repaired:|took over/.test(l))
        .map((l) => l.replace(/^\W+/, '').slice(0, 110));
      const moment = `${ms} ms into "${step.trim()}…" (${(killed.atMs / 1000).toFixed(2)} s; state: ${atKill ? `${atKill.status}, done ${atKill.stepsDone.join(',') || 'nothing'}${atKill.dropletId ? '' : ', no droplet recorded'}` : 'no node yet'})`;
      row(
        `| node:create (e2e) | ${moment} | SIGKILL | killed | ${alreadyDone ? 'ok (already exists)' : 'ok'}; 1 droplet, 1 record, HTTPS 200 | ${repaired.join('; ')} |\n`,
      );
    });
  });

  // Then some of those nodes go again, each destroy killed inside one of its steps.
  const DESTROY_KILLS: Array<[step: string, ms: number]> = [
    ['Log the destroy', 0],
    ['Delete the DNS records', 0],
    ['Delete the droplet', 0],
    ['Remove the node', 0],
  ];
  DESTROY_KILLS.forEach(([step, ms], i) => {
    const name = names[i]!;
    test(`node:destroy SIGKILLed ${ms} ms into "${step}…", then the same command: nothing of ${name} is left`, async () => {
      const node = readState(stateDir).nodes.find((n: any) => n.name === name);
      const killed = await runAndKill(['node:destroy', '--name', name, '--yes'], stateDir, step, ms);
      assert.ok(!killed.ended, `the run had already ended: ${killed.last}`);
      const stillInState = readState(stateDir).nodes.some((n: any) => n.name === name);
      const rerun = await cli(['node:destroy', '--name', name, '--yes'], { stateDir });
      if (stillInState) assert.equal(rerun.code, 0, rerun.stderr);
      else assert.match(rerun.stderr, /no node named/);
      assert.ok(!readState(stateDir).nodes.some((n: any) => n.name === name));
      assert.deepEqual(await dropletsNamed(name), [], 'no droplet left');
      assert.deepEqual(await recordsNamed(node.fqdn), [], 'no A record left');
      row(
        `| node:destroy (e2e) | ${ms} ms into "${step}…" (${(killed.atMs / 1000).toFixed(2)} s; node ${stillInState ? 'still' : 'no longer'} in state) | SIGKILL | killed | ${rerun.code === 0 ? 'ok' : 'ok (no node named …)'}; no droplet, no record | |\n`,
      );
    });
  });
});

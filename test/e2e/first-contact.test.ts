/**
 * A new user's first contact, on the sandbox: the packed npm tarball installed into a temporary prefix runs
 * (`--version`, `--help` of every command, `init`, `doctor`), a wrong Cloudflare token fails doctor without
 * being printed, and its node:create finds the zone/account ids and imports a fresh SSH key (then `status` and
 * `doctor` use them); `sandbox env` keeps the shell's own CA trust.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DO_ADMIN, ROOT, newStateDir, readState, skipReason } from './helpers.js';

const skip = skipReason();

function run(
  file: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { ...process.env, ...opts.env }, cwd: opts.cwd ?? tmpdir(), timeout: 300_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('the installed package', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dynia-pack-'));
  const prefix = join(dir, 'prefix');
  const dynia = join(prefix, 'bin', 'dynia');
  const stateDir = newStateDir();

  before(async () => {
    const packed = await run('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: ROOT });
    assert.equal(packed.code, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; size: number; unpackedSize: number; entryCount: number }>;
    const tarball = join(dir, info!.filename);
    console.log(
      `# tarball ${info!.filename}: ${statSync(tarball).size} bytes packed, ${info!.unpackedSize} unpacked, ${info!.entryCount} files`,
    );
    const installed = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball]);
    assert.equal(installed.code, 0, installed.stderr);
  });

  test('holds the CLI and its one runtime dependency, nothing of the sandbox', () => {
    const pkg = join(prefix, 'lib', 'node_modules', 'dynia');
    assert.ok(existsSync(join(pkg, 'dist', 'cli.js')));
    for (const absent of [
      'dist/sandbox-cli.js',
      'dist/sandbox-daemon.js',
      'sandbox',
      'src',
      'node_modules/miniflare',
      'node_modules/tsx',
      'node_modules/commander',
    ]) {
      assert.ok(!existsSync(join(pkg, absent)), `${absent} is not installed`);
    }
    assert.ok(existsSync(join(pkg, 'node_modules', 'ssh2')));
  });

  test("--version, --help and every command's --help run", async () => {
    const version = await run(dynia, ['--version']);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const help = await run(dynia, ['--help']);
    assert.equal(help.code, 0, help.stderr);
    const commands = [...help.stdout.matchAll(/^ {2}([a-z:]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    assert.ok(commands.includes('doctor') && commands.includes('init') && commands.includes('node:create'), commands.join(' '));
    for (const command of commands) {
      const r = await run(dynia, [command, '--help']);
      assert.equal(r.code, 0, `${command} --help: ${r.stderr}`);
    }
    const sandbox = await run(dynia, ['sandbox', 'status']);
    assert.equal(sandbox.code, 2);
    assert.match(sandbox.stderr, /dynia sandbox needs a repository checkout/);
  });

  test('doctor passes against the sandbox', async () => {
    const r = await run(dynia, ['doctor'], { env: { DYNIA_STATE_DIR: stateDir } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All checks passed\./);
  });

  test('init --yes writes config.json (no token in it) and ends with a passing doctor', async () => {
    const dir = newStateDir();
    const r = await run(dynia, ['init', '--yes', '--domain', 'dynia.test', '--ssh-key', process.env.DYNIA_SSH_KEY!], {
      env: { DYNIA_STATE_DIR: dir, DYNIA_DOMAIN: '', DYNIA_SSH_KEY: '', CLOUDFLARE_ZONE_ID: '', CLOUDFLARE_ACCOUNT_ID: '' },
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /DIGITALOCEAN_TOKEN: from the environment/);
    assert.match(r.stdout, /All checks passed\./);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), {
      dyniaDomain: 'dynia.test',
      dyniaSshKey: process.env.DYNIA_SSH_KEY,
    });
  });

  test('with a wrong Cloudflare token, doctor fails naming CLOUDFLARE_API_TOKEN and never prints it', async () => {
    const wrong = `cf-wrong-${Date.now()}-secret`;
    const r = await run(dynia, ['doctor'], { env: { DYNIA_STATE_DIR: stateDir, CLOUDFLARE_API_TOKEN: wrong } });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^✗ Cloudflare token \(CLOUDFLARE_API_TOKEN\) is valid: CLOUDFLARE_API_TOKEN is not accepted/m);
    assert.match(r.stdout, /1 check\(s\) failed\./);
    const json = await run(dynia, ['doctor', '--json'], { env: { DYNIA_STATE_DIR: stateDir, CLOUDFLARE_API_TOKEN: wrong } });
    assert.deepEqual(
      JSON.parse(json.stdout)
        .checks.filter((c: { status: string }) => c.status === 'fail')
        .map((c: { id: string }) => c.id),
      ['cf-token'],
    );
    for (const output of [r.stdout, r.stderr, json.stdout, json.stderr]) assert.ok(!output.includes(wrong), 'the token is not printed');
  });
  describe('first node with ids unset and a fresh key, from the installed package', () => {
    const nodeState = newStateDir();
    const key = join(mkdtempSync(join(tmpdir(), 'dynia-key-')), 'id_ed25519');
    const env = { DYNIA_STATE_DIR: nodeState, CLOUDFLARE_ZONE_ID: '', CLOUDFLARE_ACCOUNT_ID: '', DYNIA_SSH_KEY: key };
    const auth = { authorization: `Bearer ${process.env.DIGITALOCEAN_TOKEN}` };
    const accountKeys = async () =>
      (
        (await (await fetch(`${DO_ADMIN()}/v2/account/keys`, { headers: auth })).json()) as {
          ssh_keys: Array<{ id: number; public_key: string }>;
        }
      ).ssh_keys;
    const publicHalf = () => readFileSync(`${key}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    before(() => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'first-contact@e2e', '-f', key]));
    after(async () => {
      await run(dynia, ['node:destroy', '--name', 'e2e-first', '--yes'], { env });
      for (const k of await accountKeys())
        if (k.public_key.startsWith(publicHalf()))
          await fetch(`${DO_ADMIN()}/v2/account/keys/${k.id}`, { method: 'DELETE', headers: auth });
    });

    test('node:create finds the zone and account, imports the key, and the key is then in the account', async () => {
      assert.ok(!(await accountKeys()).some((k) => k.public_key.startsWith(publicHalf())));
      const r = await run(dynia, ['node:create', '--name', 'e2e-first'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /found CLOUDFLARE_ZONE_ID=023e105f4ecef8ad9ca31a8372d0c353, CLOUDFLARE_ACCOUNT_ID=01a7362d577a6c3019a474fd6f485823 from DYNIA_DOMAIN/,
      );
      assert.match(r.stderr, /imported the public half of .*id_ed25519 as "first-contact@e2e"/);
      assert.equal(readState(nodeState).nodes[0].status, 'active');
      assert.ok(
        (await accountKeys()).some((k) => k.public_key.startsWith(publicHalf())),
        'the key is listed in the account',
      );
      assert.deepEqual(JSON.parse(readFileSync(join(nodeState, 'config.json'), 'utf8')), {
        cloudflareZoneId: '023e105f4ecef8ad9ca31a8372d0c353',
        cloudflareAccountId: '01a7362d577a6c3019a474fd6f485823',
      });
    });

    test('then status (SSH to the node) runs, and doctor shows the cached ids and the imported key', async () => {
      const status = await run(dynia, ['status', '--json'], { env });
      assert.equal(status.code, 0, status.stderr);
      assert.deepEqual(
        JSON.parse(status.stdout).map((n: { name: string; ok: boolean }) => [n.name, n.ok]),
        [['e2e-first', true]],
      );
      const doctor = await run(dynia, ['doctor'], { env });
      assert.equal(doctor.code, 0, doctor.stdout);
      assert.match(
        doctor.stdout,
        new RegExp(`zone dynia.test \\(023e105f4ecef8ad9ca31a8372d0c353\\), CLOUDFLARE_ZONE_ID from ${nodeState}/config.json`),
      );
      assert.match(doctor.stdout, /SSH key \(DYNIA_SSH_KEY\) in the DigitalOcean account: key \d+ "first-contact@e2e"/);
    });
  });
});

describe("sandbox env keeps the shell's own CA trust", { skip }, () => {
  // The shell as it was before any eval: its own NODE_EXTRA_CA_CERTS, if it had one.
  const base = process.env.DYNIA_SANDBOX_BASE_CA_CERTS ?? process.env.NODE_EXTRA_CA_CERTS;
  const shellEnv = { ...(base ? { NODE_EXTRA_CA_CERTS: base } : {}), DYNIA_SANDBOX_BASE_CA_CERTS: '' };
  const script = (after: string) => `set -e; eval "$(node ${join(ROOT, 'bin/dynia.js')} sandbox env)"; ${after}`;

  test('npm view commander version still works after eval', async () => {
    const r = await run('bash', ['-c', script('npm view commander version')], { env: shellEnv });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
  });

  test('Node itself still trusts the registry and also the sandbox roots', {
    skip: base ? false : 'no NODE_EXTRA_CA_CERTS of its own on this machine',
  }, async () => {
    const fetchRegistry = "fetch('https://registry.npmjs.org/commander/latest').then((r) => r.json()).then((j) => console.log(j.version))";
    const r = await run('bash', ['-c', script(`node -e "${fetchRegistry}"; grep -c 'BEGIN CERTIFICATE' "$NODE_EXTRA_CA_CERTS"`)], {
      env: shellEnv,
    });
    assert.equal(r.code, 0, r.stderr);
    const [version, certs] = r.stdout.trim().split('\n');
    assert.match(version!, /^\d+\.\d+\.\d+$/);
    const own = readFileSync(base!, 'utf8').split('BEGIN CERTIFICATE').length - 1;
    assert.equal(Number(certs), own + 3, 'the base bundle plus the sandbox root, intermediate and ACME endpoint');
  });
});

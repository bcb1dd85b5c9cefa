/**
 * Helpers for end-to-end tests on the live sandbox: run the built CLI as a user would, reach nodes over real
 * HTTPS (sandbox DNS + the sandbox CA) and real SSH.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resolver } from 'node:dns/promises';
import { Agent, request } from 'undici';
import { buildAndPushApp } from '../../sandbox/apps.js';
import { SANDBOX } from '../../sandbox/layout.js';
import { RETIRING_DIR } from '../../src/node/layout.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = join(ROOT, 'bin/dynia.js');

/** Why the e2e tests cannot run here, or undefined when the sandbox env is exported and points at loopback. */
export function skipReason(): string | undefined {
  const url = process.env.DIGITALOCEAN_API_URL ?? '';
  if (!/^http:\/\/127\.0\.0\.1:/.test(url)) return 'sandbox env not exported (eval "$(dynia sandbox env)" after dynia sandbox up)';
  return undefined;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function newStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'dynia-e2e-'));
}

export function cli(args: string[], opts: { stateDir: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, DYNIA_STATE_DIR: opts.stateDir, ...opts.env }, timeout: opts.timeoutMs ?? 300_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Starts the CLI without waiting (for kill tests). */
export function cliSpawn(args: string[], opts: { stateDir: string }) {
  return spawn(process.execPath, [CLI, ...args], { env: { ...process.env, DYNIA_STATE_DIR: opts.stateDir }, stdio: 'ignore' });
}

export function readState(stateDir: string): any {
  try {
    return JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8'));
  } catch {
    return { nodes: [], deployments: [] };
  }
}

export const resolvers = () => (process.env.DYNIA_DNS_RESOLVERS ?? '').split(',').filter(Boolean);

export async function resolveInSandbox(name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([resolvers()[0]!]);
  return resolver.resolve4(name).catch(() => []);
}

/** An HTTPS GET through sandbox DNS, trusting the sandbox CA (read now: pebble's root changes when it restarts). */
export async function httpsGet(url: string, opts: { ip?: string; timeoutMs?: number } = {}) {
  const host = new URL(url).hostname;
  const ip = opts.ip ?? (await resolveInSandbox(host))[0];
  if (!ip) throw new Error(`${host} does not resolve in the sandbox`);
  const ca = readFileSync(process.env.NODE_EXTRA_CA_CERTS!, 'utf8');
  const agent = new Agent({ connect: { ca, lookup: (_h, _o, cb) => cb(null, [{ address: ip, family: 4 }]) } });
  try {
    const response = await request(url, { dispatcher: agent, headersTimeout: opts.timeoutMs ?? 5000, bodyTimeout: opts.timeoutMs ?? 5000 });
    return { status: response.statusCode, body: await response.body.text(), headers: response.headers };
  } finally {
    await agent.close();
  }
}

/** Builds examples/hello at each version and pushes it to the sandbox registry as dynia-examples/hello:<version>. */
export async function pushHello(...versions: number[]): Promise<void> {
  for (const version of versions) {
    await buildAndPushApp({
      dir: join(ROOT, 'examples/hello'),
      hubName: `dynia-examples/hello:${version}`,
      buildArgs: { VERSION: String(version) },
    });
  }
}

export interface SshOptions {
  /** The private key; default the sandbox's (DYNIA_SSH_KEY of `dynia sandbox env`). */
  key?: string;
  /** ssh's own ConnectTimeout, in seconds (for polling a host that is still starting). */
  connectTimeoutS?: number;
}

/** The ssh argv for a command as root on a node: the sandbox key, no host-key prompt or file, no password prompt. */
export function sshArgv(ip: string, command: string, options: SshOptions = {}): string[] {
  return [
    '-i',
    options.key ?? process.env.DYNIA_SSH_KEY!,
    ...['StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'BatchMode=yes', 'LogLevel=ERROR'].flatMap((o) => ['-o', o]),
    ...(options.connectTimeoutS === undefined ? [] : ['-o', `ConnectTimeout=${options.connectTimeoutS}`]),
    `root@${ip}`,
    command,
  ];
}

/** Runs a command on a node over real SSH; never throws (the exit code is in the result). */
export function ssh(ip: string, command: string, options: SshOptions & { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('ssh', sshArgv(ip, command, options), { timeout: options.timeoutMs ?? 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Runs `command` on a node once the stops its last swaps left going on have ended (a swap returns once the old
 * version's stop has begun behind its shut door): every retire mark gone, 10 s at most.
 */
export const sshSettled = (ip: string, command: string): Promise<CliResult> =>
  ssh(ip, `i=0; while ls ${RETIRING_DIR} 2>/dev/null | grep -qv '[.]' && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done; ${command}`);

/** The emulators' admin endpoints (fault injection, request logs) and the sandbox daemon's (DNS delays). */
export const admin = {
  async post(base: string, path: string, body: unknown) {
    const r = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  },
  async del(base: string, path: string) {
    await fetch(`${base}${path}`, { method: 'DELETE' });
  },
  async get(base: string, path: string): Promise<any> {
    return (await fetch(`${base}${path}`)).json();
  },
};
export const DO_ADMIN = () => process.env.DIGITALOCEAN_API_URL!;
export const CF_ADMIN = () => process.env.CLOUDFLARE_API_URL!.replace(/\/client\/v4$/, '');
/** This slot's daemon (DYNIA_SANDBOX_SLOT): never another slot's. */
export const SANDBOX_ADMIN = `http://127.0.0.1:${SANDBOX.ports.admin}`;

export async function destroyNodes(stateDir: string, names: string[]): Promise<void> {
  for (const name of names) await cli(['node:destroy', '--name', name, '--yes'], { stateDir });
}

/**
 * Starts the CLI and SIGKILLs it `ms` after the step whose title starts with `step` begins (its `→ title …`
 * progress line); resolves with when that was (ms after spawn), the last progress line, and whether it had
 * already ended by itself.
 */
export async function runAndKill(
  args: string[],
  stateDir: string,
  step: string,
  ms: number,
): Promise<{ atMs: number; last: string; ended: boolean }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, DYNIA_STATE_DIR: stateDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let lines: string[] = [];
  const exit = once(child, 'exit');
  await new Promise<void>((resolve) => {
    let armed = false;
    child.stderr.on('data', (chunk: Buffer) => {
      lines = [...lines, ...chunk.toString().split('\n').filter(Boolean)];
      if (!armed && lines.some((l) => l.startsWith(`→ ${step}`))) {
        armed = true;
        setTimeout(resolve, ms);
      }
    });
    void exit.then(() => resolve());
  });
  const ended = child.exitCode !== null;
  child.kill('SIGKILL');
  await exit;
  return { atMs: Math.round(performance.now() - t0), last: lines.at(-1) ?? '', ended };
}

/**
 * Steady load for a test: each worker runs its request without pause until stopped; a worker answers a failure's
 * description (or throws), undefined when the request went well. Every request is counted, every failure kept
 * with its time.
 */
export function steadyLoad(workers: Array<() => Promise<string | undefined>>, onStop: () => Promise<void> = async () => {}) {
  let stop = false;
  let requests = 0;
  const failures: string[] = [];
  const running = workers.map(async (attempt) => {
    while (!stop) {
      const failure = await attempt().catch((error: Error) => error.message);
      requests++;
      if (failure) failures.push(`${new Date().toISOString()} ${failure}`);
    }
  });
  return {
    failures,
    get requests() {
      return requests;
    },
    async stop() {
      stop = true;
      await Promise.all(running);
      await onStop();
    },
  };
}

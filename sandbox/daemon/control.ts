/**
 * Starting and stopping the sandbox daemon (emulators + workerd + admin) from the CLI: a detached process with a
 * pid file and a log in the sandbox dir, known to be up when its admin endpoint answers /health with its pid.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SANDBOX, sandboxDir } from '../layout.js';
import { fetchWithDeadline } from '../http-probe.js';
import { files } from '../paths.js';

/** How to run the daemon: a script for process.execPath, with extra node flags (e.g. the tsx loader). */
export interface DaemonEntry {
  script: string;
  execArgv?: string[];
}

export const adminUrl = `http://127.0.0.1:${SANDBOX.ports.admin}`;

/** From TS sources: daemon/main.ts under tsx. From a bundle: sandbox-daemon.js next to it (or one folder up). */
export function defaultDaemonEntry(): DaemonEntry {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    return { script: join(dirname(here), 'main.ts'), execArgv: ['--import', import.meta.resolve('tsx')] };
  }
  for (const candidate of [join(dirname(here), 'sandbox-daemon.js'), join(dirname(here), '..', 'sandbox-daemon.js')]) {
    if (existsSync(candidate)) return { script: candidate };
  }
  throw new Error(`sandbox daemon not found next to ${here} (build it: npm run build)`);
}

/** The daemon's pid when it runs and answers, else null. */
export async function daemonPid(): Promise<number | null> {
  const pid = readPid();
  if (pid === null || !alive(pid)) return null;
  const health = await fetchWithDeadline(`${adminUrl}/health`, {}, 2000)
    .then((r) => (r.ok ? (r.json() as Promise<{ pid?: number }>) : null))
    .catch(() => null);
  return health?.pid === pid ? pid : null;
}

export async function startDaemon(entry: DaemonEntry, timeoutMs = 60_000): Promise<number> {
  const log = openSync(files.daemonLog(), 'a');
  const child = spawn(process.execPath, [...(entry.execArgv ?? []), entry.script], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, DYNIA_SANDBOX_DIR: sandboxDir() },
    cwd: sandboxDir(),
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the sandbox daemon (${entry.script})`);
  writeFileSync(files.daemonPid(), `${pid}\n`);
  let exited: string | null = null;
  child.on('exit', (code, signal) => (exited = signal ?? `exit ${code}`));
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited) throw new Error(`sandbox daemon stopped (${exited}) while starting:\n${logTail()}`);
      if ((await daemonPid()) === pid) return pid;
      if (Date.now() > deadline) {
        process.kill(pid, 'SIGKILL');
        throw new Error(`sandbox daemon did not answer ${adminUrl}/health within ${timeoutMs / 1000} s:\n${logTail()}`);
      }
      await sleep(100);
    }
  } finally {
    child.unref();
  }
}

/** Stops the daemon whose pid file we wrote (only if that pid still is our daemon). */
export async function stopDaemon(): Promise<boolean> {
  const pid = readPid();
  rmSync(files.daemonPid(), { force: true });
  if (pid === null || !alive(pid) || !isDaemonProcess(pid)) return false;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  return true;
}

function readPid(): number | null {
  try {
    const pid = Number(readFileSync(files.daemonPid(), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** Guards against a recycled pid: the process must be a node running our daemon entry. */
function isDaemonProcess(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('sandbox-daemon') || cmdline.includes(join('daemon', 'main'));
  } catch {
    return false;
  }
}

function logTail(): string {
  try {
    return readFileSync(files.daemonLog(), 'utf8').trim().split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The CPU a sandbox node spends beyond the containers it runs: its Docker daemons (dockerd, containerd, the shims,
 * runc) and whatever commands a deploy runs there, read from the node container's cgroup minus its nested
 * containers' (Caddy, the apps). A nested container's cgroup goes when it stops, so they are polled every 20 ms and
 * a vanished one keeps its last reading (its last few ms are then counted as the node's own).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const CONTAINER_ID = /[0-9a-f]{64}/;
const POLL_MS = 20;

/** The node container's cgroup directory and how to read a cgroup's CPU so far (ms); undefined when neither v1 nor v2 is readable. */
function cgroupOf(host: string): { dir: string; usageMs: (dir: string) => number } | undefined {
  const pid = execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', host], { encoding: 'utf8' }).trim();
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const v1 = lines.find((l) => /^\d+:[^:]*\bcpuacct\b[^:]*:/.test(l));
  if (v1) {
    const dir = join('/sys/fs/cgroup/cpuacct', v1.slice(v1.lastIndexOf(':') + 1));
    if (existsSync(join(dir, 'cpuacct.usage')))
      return { dir, usageMs: (d) => Number(readFileSync(join(d, 'cpuacct.usage'), 'utf8')) / 1e6 };
  }
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (v2) {
    const dir = join('/sys/fs/cgroup', v2.slice(3));
    const stat = (d: string) => /usage_usec (\d+)/.exec(readFileSync(join(d, 'cpu.stat'), 'utf8'))?.[1];
    if (existsSync(join(dir, 'cpu.stat'))) return { dir, usageMs: (d) => Number(stat(d) ?? 0) / 1e3 };
  }
  return undefined;
}

/** The outermost cgroups below `dir` that belong to a container (named by a 64-hex id). */
function nestedContainers(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const sub = join(d, entry.name);
      if (CONTAINER_ID.test(entry.name)) found.push(sub);
      else walk(sub);
    }
  };
  walk(dir);
  return found;
}

export interface NodeCpu {
  /** The node's own CPU so far (ms); NaN when its cgroup cannot be read. */
  ownMs(): number;
  stop(): void;
}

export function nodeCpu(host: string): NodeCpu {
  const cgroup = cgroupOf(host);
  if (!cgroup) return { ownMs: () => NaN, stop: () => {} };
  const last = new Map<string, number>();
  const poll = () => {
    for (const dir of nestedContainers(cgroup.dir)) {
      try {
        last.set(dir, cgroup.usageMs(dir));
      } catch {
        // gone between the listing and the read: its last reading stands
      }
    }
  };
  poll();
  const timer = setInterval(poll, POLL_MS);
  return {
    ownMs: () => {
      poll();
      return cgroup.usageMs(cgroup.dir) - [...last.values()].reduce((a, b) => a + b, 0);
    },
    stop: () => clearInterval(timer),
  };
}

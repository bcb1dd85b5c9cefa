/**
 * DnsSink of the sandbox: each resolver sees a zone's records only after its own propagation delay, like public
 * resolvers that pick up a change at different times. The latest publish of a zone wins even when an older one
 * (published under a longer delay) comes due later.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DnsSink } from '../emulators/ports.js';
import { renderZoneHosts, zoneFileName, type DnsRecord } from './hosts-file.js';

export interface DnsPublisherOptions {
  /** One hosts dir per resolver (watched by its dnsmasq). */
  resolverDirs: readonly string[];
  /** Propagation delay per resolver, ms. */
  delaysMs: readonly number[];
  /** Called when writing a hosts file fails (the publish itself already returned). */
  onError?: (error: unknown) => void;
}

export class DnsPublisher implements DnsSink {
  private delays: number[];
  private sequence = 0;
  /** Per resolver: zone -> sequence number of the publish it shows. */
  private readonly shown: Array<Map<string, number>>;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: DnsPublisherOptions) {
    this.delays = checkDelays(opts.delaysMs, opts.resolverDirs.length);
    this.shown = opts.resolverDirs.map(() => new Map());
    for (const dir of opts.resolverDirs) mkdirSync(dir, { recursive: true });
  }

  publish(zone: string, records: Array<{ name: string; type: string; content: string; ttl: number }>): void {
    const file = zoneFileName(zone);
    const text = renderZoneHosts(zone, records as DnsRecord[]);
    const seq = ++this.sequence;
    this.opts.resolverDirs.forEach((dir, i) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if ((this.shown[i].get(zone) ?? 0) > seq) return;
        this.shown[i].set(zone, seq);
        try {
          writeAtomically(dir, file, text);
        } catch (error) {
          this.opts.onError?.(error);
        }
      }, this.delays[i]);
      this.timers.add(timer);
    });
  }

  /** Changes the delays of publishes made from now on. */
  setDelays(ms: readonly number[]): void {
    this.delays = checkDelays(ms, this.opts.resolverDirs.length);
  }

  currentDelays(): number[] {
    return [...this.delays];
  }

  /** Drops the publishes still waiting for their delay. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

function checkDelays(ms: readonly number[], count: number): number[] {
  if (ms.length !== count || !ms.every((d) => Number.isInteger(d) && d >= 0 && d <= 3_600_000)) {
    throw new Error(`DNS delays must be ${count} whole numbers of milliseconds between 0 and 3600000`);
  }
  return [...ms];
}

/** dnsmasq re-reads a file on close-after-write or rename-into; a rename never shows it half written. */
function writeAtomically(dir: string, name: string, text: string): void {
  const tmp = join(dir, `.${name}.tmp`);
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, join(dir, name));
}

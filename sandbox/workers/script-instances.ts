/**
 * One Miniflare (one workerd) per deployed script. A redeploy starts the new instance first, switches traffic
 * to it, then disposes the old one once its in-flight requests are done, so a redeploy drops no request.
 */
import type { Agent } from 'node:http';

export interface Instance {
  port: number;
  agent: Agent;
  dispose(): Promise<void>;
  /** Runs the Worker's scheduled handler once; resolves with its outcome. */
  scheduled(cron: string): Promise<string>;
}

interface Slot {
  instance: Instance;
  inflight: number;
  retired: boolean;
  disposing?: Promise<void>;
}

/** An old instance still serving a slow request is disposed anyway after this long. */
const RETIRE_GRACE_MS = 30_000;

export class ScriptInstances {
  private readonly live = new Map<string, Slot>();
  private readonly retiring = new Set<Slot>();
  /** Deploys of one script run one after another, so the last deploy requested is the one that serves. */
  private readonly queues = new Map<string, Promise<unknown>>();

  deploy(name: string, start: () => Promise<Instance>): Promise<void> {
    return this.serialized(name, async () => {
      const next: Slot = { instance: await start(), inflight: 0, retired: false };
      const previous = this.live.get(name);
      this.live.set(name, next);
      if (previous) this.retire(previous);
    });
  }

  remove(name: string): Promise<void> {
    return this.serialized(name, async () => {
      const slot = this.live.get(name);
      this.live.delete(name);
      if (slot) this.retire(slot);
    });
  }

  /** The serving instance of a script, counted as busy until `release` is called. */
  acquire(name: string): { instance: Instance; release: () => void } | undefined {
    const slot = this.live.get(name);
    if (!slot) return undefined;
    slot.inflight += 1;
    return {
      instance: slot.instance,
      release: () => {
        slot.inflight -= 1;
        if (slot.retired && slot.inflight === 0) void this.dispose(slot);
      },
    };
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.queues.values()]);
    const slots = [...this.live.values(), ...this.retiring];
    this.live.clear();
    await Promise.all(slots.map((slot) => this.dispose(slot)));
  }

  private retire(slot: Slot): void {
    slot.retired = true;
    this.retiring.add(slot);
    if (slot.inflight === 0) void this.dispose(slot);
    else setTimeout(() => void this.dispose(slot), RETIRE_GRACE_MS).unref();
  }

  /** Idempotent: a slot is disposed once, by whichever of release, grace timer or closeAll comes first. */
  private dispose(slot: Slot): Promise<void> {
    slot.disposing ??= (async () => {
      this.retiring.delete(slot);
      slot.instance.agent.destroy();
      await slot.instance.dispose().catch(() => undefined);
    })();
    return slot.disposing;
  }

  private serialized(name: string, work: () => Promise<void>): Promise<void> {
    const run = (this.queues.get(name) ?? Promise.resolve()).catch(() => undefined).then(work);
    this.queues.set(name, run);
    return run;
  }
}

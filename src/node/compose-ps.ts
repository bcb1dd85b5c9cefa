import { RemoteError } from '../errors.js';

export interface ComposeContainer {
  name: string;
  service: string;
  /** running, exited, restarting, created, ... */
  state: string;
  /** healthy, unhealthy, starting, or '' when the service has no healthcheck. */
  health: string;
  exitCode: number;
}

/** Parses `docker compose ps --format json`: one object per line (compose ≥2.21) or a single array (older). */
export function parseComposePs(stdout: string): ComposeContainer[] {
  const text = stdout.trim();
  if (text === '') return [];
  try {
    const rows: unknown[] = text.startsWith('[') ? JSON.parse(text) : text.split('\n').map((line) => JSON.parse(line));
    return rows.map((row) => {
      const r = row as Record<string, unknown>;
      return {
        name: String(r.Name ?? ''),
        service: String(r.Service ?? ''),
        state: String(r.State ?? ''),
        health: String(r.Health ?? ''),
        exitCode: Number(r.ExitCode ?? 0),
      };
    });
  } catch (error) {
    throw RemoteError(`unexpected output from docker compose ps: ${text.slice(0, 200)}`, undefined, error);
  }
}

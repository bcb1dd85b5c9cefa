/**
 * Fires Cron Triggers: at every minute boundary, each script's `scheduled` handler for each of its crons that
 * match (UTC), as Cloudflare does; and on demand, for tests, through `POST /__sandbox/scheduled`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cronMatches, parseCron } from './cron.js';
import type { EmulatorState } from './state.js';

export interface CronTicker {
  stop(): void;
}

export function startCronTicker(state: EmulatorState, log: (message: string) => void = () => undefined): CronTicker {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    const now = Date.now();
    timer = setTimeout(tick, 60_000 - (now % 60_000) + 5);
    timer.unref();
  };
  const tick = () => {
    const at = new Date();
    for (const script of state.scripts.list()) {
      for (const { cron } of script.schedules) {
        if (!cronMatches(parseCron(cron), at)) continue;
        void fire(state, script.name, cron).then(
          (outcome) => log(`cron ${cron}: scheduled() of ${script.name} → ${outcome}`),
          (error: Error) => log(`cron ${cron}: scheduled() of ${script.name} failed: ${error.message}`),
        );
      }
    }
    schedule();
  };
  schedule();
  return { stop: () => clearTimeout(timer) };
}

async function fire(state: EmulatorState, name: string, cron: string): Promise<string> {
  if (!state.runtime.scheduled) throw new Error('this Worker runtime cannot run scheduled handlers');
  return state.runtime.scheduled(name, cron);
}

const isLoopback = (address: string | undefined): boolean =>
  address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));

/**
 * `POST /__sandbox/scheduled {"script": "<name>", "cron"?: "<expression>"}`: runs the script's scheduled handler
 * now (with its first cron unless one is given) and answers `{"outcome": "ok"}` once the handler has finished.
 */
export function createScheduledControl(state: EmulatorState) {
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!isLoopback(req.socket.remoteAddress)) return answer(res, 403, { error: 'The sandbox controls only answer loopback clients.' });
    if (req.method !== 'POST') return answer(res, 405, { error: 'POST /__sandbox/scheduled' });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: { script?: unknown; cron?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return answer(res, 400, { error: 'The request body is not valid JSON.' });
    }
    const script = typeof body.script === 'string' ? state.scripts.get(body.script) : undefined;
    if (!script) return answer(res, 404, { error: 'No such script ("script" names an uploaded Worker).' });
    const cron = typeof body.cron === 'string' ? body.cron : (script.schedules[0]?.cron ?? '* * * * *');
    try {
      return answer(res, 200, { outcome: await fire(state, script.name, cron), cron });
    } catch (error) {
      return answer(res, 500, { error: (error as Error).message });
    }
  };
}

/** One try against one origin, bounded by an inactivity timer. */

/** Workers runtime built-in: a pass-through stream that tells fetch() the body's exact length. */
declare const FixedLengthStream: new (length: number) => TransformStream<Uint8Array, Uint8Array>;

export type Outcome =
  | { kind: 'response'; response: Response }
  | { kind: 'network' }
  | { kind: 'timeout' }
  /** The client's own body stream broke (it went away mid-upload): not the origin's fault. */
  | { kind: 'client' };

export type OutgoingBody =
  | { plan: 'none' }
  | { plan: 'buffer'; bytes: ArrayBuffer }
  | { plan: 'stream'; stream: ReadableStream<Uint8Array>; length: number | null };

/**
 * Fetches `url`, giving up when `timeoutMs` pass without progress: the clock starts with the attempt, is
 * re-armed by every body chunk sent (so a slow but moving upload is not cut off) and stops once response
 * headers arrive (the response body then streams to the client unbounded).
 */
export async function attempt(url: string, method: string, headers: Headers, body: OutgoingBody, timeoutMs: number): Promise<Outcome> {
  const abort = new AbortController();
  let timedOut = false;
  let clientFailed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const rearm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
  };
  rearm();
  try {
    const response = await fetch(url, {
      method,
      headers,
      body: outgoing(body, rearm, () => (clientFailed = true)),
      // A redirect goes back to the client as is; following it would let an origin point the Worker anywhere.
      redirect: 'manual',
      signal: abort.signal,
    });
    return { kind: 'response', response };
  } catch {
    return { kind: clientFailed ? 'client' : timedOut ? 'timeout' : 'network' };
  } finally {
    clearTimeout(timer);
  }
}

function outgoing(body: OutgoingBody, onProgress: () => void, onClientFailure: () => void): BodyInit | null {
  if (body.plan === 'none') return null;
  if (body.plan === 'buffer') return body.bytes;
  const watched = watch(body.stream, onProgress, onClientFailure);
  // Keep Content-Length framing when the client sent one; a plain stream would go out chunked.
  return body.length === null ? watched : watched.pipeThrough(new FixedLengthStream(body.length));
}

/** Passes the client's body through, reporting each chunk and telling a broken client stream apart. */
function watch(source: ReadableStream<Uint8Array>, onProgress: () => void, onSourceError: () => void): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        onSourceError();
        throw error;
      }
      if (next.done) {
        controller.close();
        return;
      }
      onProgress();
      controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** Bridges a Worker's subrequests (Miniflare's own Request class) to a plain web-platform `outbound` function. */

export type Outbound = (request: Request) => Promise<Response>;

/** The parts of Miniflare's (bundled undici) Request the bridge reads. */
interface MiniflareRequestLike {
  url: string;
  method: string;
  headers: { forEach(callback: (value: string, key: string) => void): void };
  body: ReadableStream<Uint8Array> | null;
}

/** workerd follows redirects itself (each hop comes through here), so the bridge never follows them. */
export function toWebRequest(request: MiniflareRequestLike): Request {
  const headers = new Headers();
  request.headers.forEach((value, key) => headers.append(key, value));
  const init = { method: request.method, headers, body: request.body, redirect: 'manual', duplex: 'half' } as RequestInit;
  return new Request(request.url, init);
}

/** One call to an emulator's JSON API, made as the clients make it; the reply is read whole, then parsed. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export async function emulatorCall(
  base: string,
  method: string,
  path: string,
  /** `token: null` sends no Authorization header; `rawBody` goes as it is (a malformed body). */
  opts: { token: string | null; body?: unknown; rawBody?: string; signal?: AbortSignal },
): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token}`;
  const response = await fetch(base + path, {
    method,
    headers,
    body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : undefined };
}

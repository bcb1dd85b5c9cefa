/**
 * fetch with a deadline that keeps the process alive while it waits: AbortSignal.timeout's timer is unref'd, and
 * a connection accepted by docker-proxy before the container listens holds no ref either, so a CLI whose only
 * pending work is that request would simply exit.
 */
export async function fetchWithDeadline(url: string, init: RequestInit, ms: number): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer from ${url} within ${ms} ms`)), ms);
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

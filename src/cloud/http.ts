/**
 * The one JSON client under both cloud APIs: bearer token, per-attempt timeout, retries with backoff and
 * jitter (429 always, 5xx/network only when repeating is harmless), `retry-after` honoured up to a cap,
 * a retry budget per client, and errors that name the call and quote the API but never the token.
 */
import { Agent, type FormData, fetch, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { CloudError, describeApiError, redact, type CloudErrorDetails } from './cloud-error.js';
import { DEFAULT_RETRY_POLICY, isRetryable, parseRateLimitReset, parseRetryAfter, retryDelay, type RetryPolicy } from './retry.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RetryEvent {
  service: string;
  method: HttpMethod;
  path: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  /** e.g. `HTTP 429`, `HTTP 503`, `network error (ECONNRESET)`, `no answer within 30000 ms`. */
  reason: string;
}

export interface HttpClientOptions {
  /** Human name used in errors: `DigitalOcean`, `Cloudflare`. */
  service: string;
  baseUrl: string;
  token: string;
  /** Per attempt, covering connect, headers and body (ms). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Called before each wait, e.g. to show "rate limited, retrying in 2 s". */
  onRetry?: (event: RetryEvent) => void;
  /** Defaults to a keep-alive Agent owned (and closed) by this client. */
  dispatcher?: Dispatcher;
  /** Seams for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface HttpRequest {
  method: HttpMethod;
  /** Appended to the base URL, e.g. `/v2/droplets`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  /** Multipart body, built anew for each attempt. */
  form?: () => FormData;
  /** Set on a POST/PATCH that is harmless to repeat, so it is retried on 5xx and network errors too. */
  retrySafe?: boolean;
  /** Statuses handed back instead of thrown, e.g. 404 where absence is an answer. */
  allowStatus?: readonly number[];
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, the raw text if it is not JSON, or undefined when empty. */
  body: unknown;
  service: string;
  method: HttpMethod;
  path: string;
}

type Attempt = { response: HttpResponse } | { failure: string; status?: number; retryAfterMs?: number; apiMessage?: string };

export class HttpClient {
  readonly service: string;
  /** Private (#) so that inspecting or logging the client never shows it. */
  readonly #token: string;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly onRetry: HttpClientOptions['onRetry'];
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private retriesLeft: number;

  constructor(options: HttpClientOptions) {
    this.service = options.service;
    this.#token = options.token;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.retriesLeft = this.policy.budget;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000 });
    this.onRetry = options.onRetry;
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Sends the request, retrying as allowed; resolves with 2xx (or allowed) answers, otherwise throws CloudError. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    for (let tries = 1; ; tries++) {
      const attempt = await this.attempt(req);
      if ('response' in attempt) return attempt.response;
      const retryable = isRetryable({ method: req.method, status: attempt.status, retrySafe: req.retrySafe });
      if (!retryable || tries > this.policy.maxRetries || this.retriesLeft <= 0) {
        // A status is already in the message; the failure text adds something only without one.
        const problem = attempt.status === undefined ? attempt.failure : undefined;
        throw this.error(req, { status: attempt.status, apiMessage: attempt.apiMessage, problem, attempts: tries });
      }
      this.retriesLeft--;
      const delayMs = retryDelay(tries, attempt.retryAfterMs, this.policy, this.random);
      this.onRetry?.({
        service: this.service,
        method: req.method,
        path: withoutQuery(req.path),
        retry: tries,
        delayMs,
        reason: this.clean(attempt.failure),
      });
      await this.sleep(delayMs);
    }
  }

  /** Validates a response body against its expected shape. */
  parse<T>(schema: z.ZodType<T>, response: HttpResponse): T {
    const result = schema.safeParse(response.body);
    if (result.success) return result.data;
    const issues = result.error.issues.slice(0, 3).map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`);
    throw this.error(response, { status: response.status, problem: `unexpected response (${issues.join('; ')})` });
  }

  /** An error about a call, with the token scrubbed from every text in it. */
  error(call: { method: string; path: string }, details: Omit<CloudErrorDetails, 'service' | 'method' | 'path'>): CloudError {
    return new CloudError({
      service: this.service,
      method: call.method,
      path: withoutQuery(call.path),
      status: details.status,
      apiMessage: details.apiMessage === undefined ? undefined : this.clean(details.apiMessage),
      problem: details.problem === undefined ? undefined : this.clean(details.problem),
      attempts: details.attempts,
    });
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async attempt(req: HttpRequest): Promise<Attempt> {
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: 'application/json' };
    let body: string | FormData | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form) {
      body = req.form();
    }
    try {
      const res = await fetch(this.url(req), {
        method: req.method,
        headers,
        body,
        redirect: 'manual',
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      const response: HttpResponse = {
        status: res.status,
        headers: res.headers as unknown as Headers,
        body: parseBody(text),
        service: this.service,
        method: req.method,
        path: req.path,
      };
      if ((res.status >= 200 && res.status < 300) || req.allowStatus?.includes(res.status)) return { response };
      const now = this.now();
      const retryAfterMs =
        parseRetryAfter(res.headers.get('retry-after'), now) ??
        (res.status === 429 ? parseRateLimitReset(res.headers.get('ratelimit-reset'), now) : undefined);
      return { failure: `HTTP ${res.status}`, status: res.status, retryAfterMs, apiMessage: describeApiError(response.body) };
    } catch (error) {
      return { failure: describeFetchFailure(error, timeoutMs) };
    }
  }

  private url(req: HttpRequest): string {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query ?? {})) if (value !== undefined) query.set(key, String(value));
    const search = query.toString() === '' ? '' : `?${query}`;
    return `${this.baseUrl}${req.path}${search}`;
  }

  private clean(text: string): string {
    return redact(text, [this.#token]);
  }
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A one-line reason for a failed fetch: the timeout, or the network error's code and message. */
function describeFetchFailure(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return `network error (${detail})`;
}

const withoutQuery = (path: string): string => path.split('?')[0]!;

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

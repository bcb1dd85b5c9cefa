/** The error of a cloud API call: which service, which call, what status and what the API itself said. */
import { DyniaError } from '../errors.js';

export interface CloudErrorDetails {
  service: string;
  method: string;
  /** Path without the query string (queries may carry filters we do not want echoed; never secrets). */
  path: string;
  status?: number;
  /** The API's own explanation, e.g. `not_found: The resource you requested could not be found.`. */
  apiMessage?: string;
  /** What went wrong when there is no API answer (network error, timeout, unexpected body). */
  problem?: string;
  /** How many times the call was tried, when more than once. */
  attempts?: number;
}

export class CloudError extends DyniaError {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly apiMessage: string | undefined;

  constructor(details: CloudErrorDetails, hint?: string) {
    const status = details.status === undefined ? '' : ` (HTTP ${details.status})`;
    const attempts = (details.attempts ?? 1) > 1 ? ` after ${details.attempts} attempts` : '';
    const said = [details.problem, details.apiMessage].filter(Boolean).join(': ');
    super(
      'cloud',
      `${details.service} ${details.method} ${details.path} failed${status}${attempts}${said ? `: ${said}` : ''}`,
      hint ?? hintFor(details),
    );
    this.name = 'CloudError';
    this.service = details.service;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.apiMessage = details.apiMessage;
  }
}

function hintFor({ service, status }: CloudErrorDetails): string | undefined {
  if (status === 401) return `Check the ${service} API token: it was rejected.`;
  if (status === 403) return `The ${service} API token lacks a permission this call needs.`;
  if (status === 429) return `${service} kept rate-limiting; wait a minute and retry.`;
  if (status === undefined || status >= 500) return `${service} did not answer properly; retry later.`;
  return undefined;
}

/**
 * The API's own error text. DigitalOcean answers `{id, message}`; Cloudflare `{errors: [{code, message}]}`.
 * Anything else yields a short excerpt of the body.
 */
export function describeApiError(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() === '' ? undefined : excerpt(body.trim());
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as { errors?: unknown; id?: unknown; message?: unknown };
  if (Array.isArray(record.errors) && record.errors.length > 0) {
    return record.errors
      .map((entry: { code?: unknown; message?: unknown }) => [entry?.code, entry?.message].filter((part) => part !== undefined).join(': '))
      .join('; ');
  }
  if (typeof record.message === 'string') return typeof record.id === 'string' ? `${record.id}: ${record.message}` : record.message;
  const text = JSON.stringify(body);
  return text === '{}' ? undefined : excerpt(text);
}

const excerpt = (text: string): string => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

/** Removes every occurrence of the secrets from a text (defence in depth: tokens never leave in errors). */
export function redact(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) if (secret) clean = clean.split(secret).join('[redacted]');
  return clean;
}

/** DigitalOcean's error envelope `{id, message}` and the ids it uses for each status. */

const ERROR_IDS: Record<number, string> = {
  400: 'bad_request',
  401: 'Unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  500: 'server_error',
  503: 'service_unavailable',
};

const DEFAULT_MESSAGES: Record<number, string> = {
  401: 'Unable to authenticate you',
  404: 'The resource you were accessing could not be found.',
  429: 'API Rate limit exceeded.',
  500: 'Server was unable to give you a response.',
};

export function errorIdForStatus(status: number): string {
  return ERROR_IDS[status] ?? (status >= 500 ? 'server_error' : 'bad_request');
}

export function defaultMessageForStatus(status: number): string {
  return DEFAULT_MESSAGES[status] ?? 'The request could not be processed.';
}

/** Thrown by handlers; the server renders it as the envelope with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string = defaultMessageForStatus(status),
    readonly id: string = errorIdForStatus(status),
  ) {
    super(message);
  }

  envelope(): { id: string; message: string } {
    return { id: this.id, message: this.message };
  }
}

export const notFound = (): ApiError => new ApiError(404);
export const unprocessable = (message: string): ApiError => new ApiError(422, message);
export const badRequest = (message: string): ApiError => new ApiError(400, message);

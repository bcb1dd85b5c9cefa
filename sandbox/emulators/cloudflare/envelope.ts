/** Cloudflare v4's response envelope and the error type handlers throw to produce its failure form. */

export interface CfMessage {
  code: number;
  message: string;
  /** Cloudflare nests the specific cause of a generic error here. */
  error_chain?: CfMessage[];
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

export function successEnvelope(result: unknown, resultInfo?: ResultInfo, messages: CfMessage[] = []) {
  return { success: true, errors: [], messages, result, ...(resultInfo ? { result_info: resultInfo } : {}) };
}

export function failureEnvelope(errors: CfMessage[]) {
  return { success: false, errors, messages: [], result: null };
}

/** Thrown by handlers; the server renders it as a failure envelope with this HTTP status. */
export class CfApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: CfMessage[],
  ) {
    super(errors.map((e) => `${e.message} (${e.code})`).join('; '));
  }
}

export const cfError = (status: number, code: number, message: string): CfApiError => new CfApiError(status, [{ code, message }]);

/** What Cloudflare answers for a path segment that is not a well-formed or known identifier. */
export const couldNotRoute = (fullPath: string): CfApiError =>
  cfError(400, 7003, `Could not route to ${fullPath}, perhaps your object identifier is invalid?`);

export const noRoute = (fullPath: string): CfApiError =>
  new CfApiError(400, [
    { code: 7003, message: `Could not route to ${fullPath}, perhaps your object identifier is invalid?` },
    { code: 7000, message: 'No route for that URI' },
  ]);

export const malformedJson = (): CfApiError => cfError(400, 6007, 'Malformed JSON in request body');

/**
 * OpenAI error bodies (`{error:{message,type,param,code}}`, pretty-printed with 4 spaces as the API
 * sends them) and the tables from HTTP status / fault `errorType` to the error's type and code.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { ErrorResponse } from '../http.js';

export interface OpenAIError {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

interface ErrorKind {
  status: number;
  type: string;
  code: string | null;
  message: string;
}

const SERVER_ERROR = 'The server had an error while processing your request. Sorry about that!';
const RATE_LIMITED =
  'Rate limit reached for requests per min (RPM) in organization org-simulator: Limit 500, Used 500, Requested 1. ' +
  'Please try again in 120ms. Visit https://platform.openai.com/account/rate-limits to learn more.';
const NO_QUOTA =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, ' +
  'read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.';
export const NO_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
  "(i.e. Authorization: Bearer YOUR_KEY), or as the password field (i.e. YOUR_KEY:) if you're accessing the API from " +
  'your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.';

const BY_STATUS: Record<number, ErrorKind> = {
  400: { status: 400, type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: {
    status: 401,
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
  },
  403: { status: 403, type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Country, region, or territory not supported' },
  404: { status: 404, type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' },
  409: { status: 409, type: 'invalid_request_error', code: null, message: 'Another request is in progress for this resource.' },
  413: { status: 413, type: 'invalid_request_error', code: 'request_too_large', message: 'Request too large.' },
  422: { status: 422, type: 'invalid_request_error', code: null, message: 'Unprocessable request.' },
  429: { status: 429, type: 'requests', code: 'rate_limit_exceeded', message: RATE_LIMITED },
  500: { status: 500, type: 'server_error', code: null, message: SERVER_ERROR },
  502: { status: 502, type: 'server_error', code: null, message: 'Bad gateway.' },
  503: { status: 503, type: 'server_error', code: null, message: 'The server is overloaded or not ready yet.' },
  504: { status: 504, type: 'server_error', code: null, message: 'Request timed out.' },
};

/** Fault `errorType` values: OpenAI's own vocabulary, plus Anthropic names translated (wire-formats 5.9.8). */
const BY_TYPE: Record<string, ErrorKind> = {
  invalid_request_error: BY_STATUS[400],
  invalid_api_key: BY_STATUS[401],
  model_not_found: BY_STATUS[404],
  requests: BY_STATUS[429],
  tokens: { ...BY_STATUS[429], type: 'tokens', message: RATE_LIMITED.replace('requests per min (RPM)', 'tokens per min (TPM)') },
  rate_limit_exceeded: BY_STATUS[429],
  insufficient_quota: { status: 429, type: 'insufficient_quota', code: 'insufficient_quota', message: NO_QUOTA },
  server_error: BY_STATUS[500],
  // Anthropic vocabulary, so one fault rule can target every protocol
  authentication_error: BY_STATUS[401],
  permission_error: BY_STATUS[403],
  not_found_error: BY_STATUS[404],
  request_too_large: BY_STATUS[413],
  rate_limit_error: BY_STATUS[429],
  billing_error: { status: 429, type: 'insufficient_quota', code: 'insufficient_quota', message: NO_QUOTA },
  api_error: BY_STATUS[500],
  overloaded_error: BY_STATUS[503],
  timeout_error: BY_STATUS[504],
};

function kindForStatus(status: number): ErrorKind {
  return BY_STATUS[status] ?? (status >= 500 ? { ...BY_STATUS[500], status } : { ...BY_STATUS[400], status });
}

/** The error kind for a fault: `errorType` wins for type/code/message; unknown types are used verbatim. */
export function faultKind(status: number | undefined, errorType: string | undefined): ErrorKind {
  if (errorType === undefined) return kindForStatus(status ?? 500);
  const known = BY_TYPE[errorType];
  if (known) return status === undefined ? known : { ...known, status };
  const base = kindForStatus(status ?? 500);
  return { ...base, type: errorType, code: null };
}

/** Non-stream status for a `stream_error` fault (server_error -> 500 by default). */
export function streamErrorStatus(errorType: string | undefined): number {
  return faultKind(undefined, errorType ?? 'server_error').status;
}

export function errorObject(kind: { type: string; code: string | null; message: string }, message?: string, param: string | null = null): OpenAIError {
  return { message: message ?? kind.message, type: kind.type, param, code: kind.code };
}

/** The error body as the API sends it (4-space indentation, trailing newline). */
export function errorBody(e: OpenAIError): string {
  return `${JSON.stringify({ error: e }, null, 4)}\n`;
}

export function errorResponse(
  status: number,
  baseHeaders: OutgoingHttpHeaders,
  e: OpenAIError,
  opts: { body?: unknown; retryAfter?: number | string } = {},
): ErrorResponse {
  const body = opts.body === undefined ? errorBody(e) : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const headers: OutgoingHttpHeaders = { ...baseHeaders, 'content-type': 'application/json; charset=utf-8' };
  if (opts.retryAfter !== undefined) headers['retry-after'] = String(opts.retryAfter);
  return { status, headers, body };
}

/** The in-stream error (`data: {"error":...}`), after which the API sends nothing more (no `[DONE]`). */
export function streamErrorFrame(errorType: string | undefined): string {
  const kind = faultKind(undefined, errorType ?? 'server_error');
  return `data: ${JSON.stringify({ error: errorObject(kind) })}\n\n`;
}

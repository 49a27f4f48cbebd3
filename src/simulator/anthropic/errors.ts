/** Anthropic error bodies and the HTTP status <-> `error.type` table. */
import type { OutgoingHttpHeaders } from 'node:http';
import type { ErrorResponse } from '../http.js';

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

const DEFAULT_MESSAGE: Record<string, string> = {
  invalid_request_error: 'Invalid request',
  authentication_error: 'invalid x-api-key',
  billing_error: 'Your credit balance is too low to access the Anthropic API.',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'This request would exceed the rate limit for your organization. Please retry after the time in the retry-after header.',
  api_error: 'Internal server error',
  timeout_error: 'Request timed out',
  overloaded_error: 'Overloaded',
};

export function errorTypeForStatus(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export function statusForErrorType(type: string | undefined): number {
  return (type && STATUS_BY_TYPE[type]) || 529;
}

export function defaultMessage(type: string): string {
  return DEFAULT_MESSAGE[type] ?? 'Error';
}

export function errorBody(type: string, message: string, requestId: string): string {
  return JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId });
}

export function errorResponse(
  status: number,
  requestId: string,
  baseHeaders: OutgoingHttpHeaders,
  opts: { type?: string; message?: string; body?: unknown; retryAfter?: number | string } = {},
): ErrorResponse {
  const type = opts.type ?? errorTypeForStatus(status);
  const body =
    opts.body === undefined
      ? errorBody(type, opts.message ?? defaultMessage(type), requestId)
      : typeof opts.body === 'string'
        ? opts.body
        : JSON.stringify(opts.body);
  const headers: OutgoingHttpHeaders = { ...baseHeaders, 'content-type': 'application/json', 'request-id': requestId };
  if (opts.retryAfter !== undefined) headers['retry-after'] = String(opts.retryAfter);
  return { status, headers, body };
}

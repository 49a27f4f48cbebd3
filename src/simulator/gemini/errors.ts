/**
 * Gemini (google.rpc.Status) error bodies: `{error:{code, message, status, details?}}`, pretty-printed
 * as the API sends them, with the canonical status names, `API_KEY_INVALID` and `RetryInfo` details.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { ErrorResponse } from '../http.js';

interface StatusKind {
  code: number;
  status: string;
  message: string;
  /** `API_KEY_INVALID` is a 400 INVALID_ARGUMENT with an ErrorInfo reason, not a status of its own. */
  reason?: string;
}

const INTERNAL_MESSAGE = 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting';
const QUOTA_MESSAGE =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, ' +
  'head to: https://ai.google.dev/gemini-api/docs/rate-limits.';
export const UNREGISTERED_MESSAGE =
  "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
const API_KEY_MESSAGE = 'API key not valid. Please pass a valid API key.';

const BY_NAME: Record<string, StatusKind> = {
  INVALID_ARGUMENT: { code: 400, status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  FAILED_PRECONDITION: { code: 400, status: 'FAILED_PRECONDITION', message: 'User location is not supported for the API use.' },
  OUT_OF_RANGE: { code: 400, status: 'OUT_OF_RANGE', message: 'Request contains an out of range argument.' },
  API_KEY_INVALID: { code: 400, status: 'INVALID_ARGUMENT', message: API_KEY_MESSAGE, reason: 'API_KEY_INVALID' },
  UNAUTHENTICATED: {
    code: 401,
    status: 'UNAUTHENTICATED',
    message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  },
  PERMISSION_DENIED: { code: 403, status: 'PERMISSION_DENIED', message: 'The caller does not have permission' },
  NOT_FOUND: { code: 404, status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  ABORTED: { code: 409, status: 'ABORTED', message: 'The operation was aborted.' },
  ALREADY_EXISTS: { code: 409, status: 'ALREADY_EXISTS', message: 'The resource already exists.' },
  RESOURCE_EXHAUSTED: { code: 429, status: 'RESOURCE_EXHAUSTED', message: QUOTA_MESSAGE },
  CANCELLED: { code: 499, status: 'CANCELLED', message: 'The operation was cancelled.' },
  INTERNAL: { code: 500, status: 'INTERNAL', message: INTERNAL_MESSAGE },
  UNKNOWN: { code: 500, status: 'UNKNOWN', message: 'Unknown error.' },
  NOT_IMPLEMENTED: { code: 501, status: 'NOT_IMPLEMENTED', message: 'Method not implemented.' },
  UNAVAILABLE: { code: 503, status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  DEADLINE_EXCEEDED: { code: 504, status: 'DEADLINE_EXCEEDED', message: 'Deadline expired before operation could complete.' },
};

/** Anthropic fault vocabulary translated, so one fault rule can target every protocol. */
const FROM_ANTHROPIC: Record<string, string> = {
  invalid_request_error: 'INVALID_ARGUMENT',
  authentication_error: 'API_KEY_INVALID',
  permission_error: 'PERMISSION_DENIED',
  not_found_error: 'NOT_FOUND',
  request_too_large: 'INVALID_ARGUMENT',
  rate_limit_error: 'RESOURCE_EXHAUSTED',
  billing_error: 'FAILED_PRECONDITION',
  api_error: 'INTERNAL',
  overloaded_error: 'UNAVAILABLE',
  timeout_error: 'DEADLINE_EXCEEDED',
};

const NAME_BY_CODE: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
  529: 'UNAVAILABLE',
};

function kindForCode(code: number): StatusKind {
  const name = NAME_BY_CODE[code] ?? (code >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
  return { ...BY_NAME[name], code };
}

/** The status kind for a fault: `errorType` picks status name and message; an explicit status keeps its code. */
export function faultKind(code: number | undefined, errorType: string | undefined): StatusKind {
  if (errorType === undefined) return kindForCode(code ?? 500);
  const known = BY_NAME[errorType] ?? BY_NAME[FROM_ANTHROPIC[errorType] ?? ''];
  if (known) return code === undefined ? known : { ...known, code };
  return { ...kindForCode(code ?? 500), status: errorType };
}

/** Non-stream status for a `stream_error` fault (503 UNAVAILABLE by default). */
export function streamErrorStatus(errorType: string | undefined): number {
  return faultKind(undefined, errorType ?? 'UNAVAILABLE').code;
}

/** `Retry-After` semantics as a google.rpc.Duration string (`"34s"`, `"1.5s"`). */
export function retryDelay(retryAfter: number | string): string {
  let seconds: number;
  if (typeof retryAfter === 'number') seconds = retryAfter;
  else if (/^\s*\d+(\.\d+)?\s*$/.test(retryAfter)) seconds = Number(retryAfter);
  else {
    const at = Date.parse(retryAfter);
    seconds = Number.isNaN(at) ? 0 : Math.max(0, Math.ceil((at - Date.now()) / 1000));
  }
  return `${Math.max(0, seconds)}s`;
}

export interface GoogleError {
  code: number;
  message: string;
  status: string;
  details?: unknown[];
}

export function errorObject(kind: StatusKind, opts: { message?: string; retryAfter?: number | string; model?: string; details?: unknown[] } = {}): GoogleError {
  const message = opts.message ?? kind.message;
  const e: GoogleError = { code: kind.code, message, status: kind.status };
  const details: unknown[] = [...(opts.details ?? [])];
  if (kind.reason) {
    details.push(
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: kind.reason,
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
      { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
    );
  }
  if (kind.status === 'RESOURCE_EXHAUSTED') {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
          quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
          quotaDimensions: { location: 'global', model: opts.model ?? 'gemini' },
          quotaValue: '10',
        },
      ],
    });
  }
  if (opts.retryAfter !== undefined) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: retryDelay(opts.retryAfter) });
  if (details.length > 0) e.details = details;
  return e;
}

/** A 400 INVALID_ARGUMENT with a BadRequest detail listing field violations (request validation). */
export function invalidArgument(message: string, violations: Array<{ field?: string; description: string }> = []): GoogleError {
  const details = violations.length > 0 ? [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations }] : undefined;
  return errorObject(BY_NAME.INVALID_ARGUMENT, { message, details });
}

export function errorResponse(baseHeaders: OutgoingHttpHeaders, e: GoogleError, body?: unknown): ErrorResponse {
  const text = body === undefined ? `${JSON.stringify({ error: e }, null, 2)}\n` : typeof body === 'string' ? body : JSON.stringify(body);
  return { status: e.code, headers: { ...baseHeaders, 'content-type': 'application/json; charset=UTF-8' }, body: text };
}

export { BY_NAME as STATUS_KINDS };

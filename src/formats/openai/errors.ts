import { errorKindForStatus } from '../canonical/errors.js';
import type { ErrorInfo, ErrorKind } from '../canonical/types.js';

/** HTTP status → canonical kind (wire-formats 5.9.8), shared by every codec. */
export const kindForStatus = errorKindForStatus;
import { isObj, num, str, type Obj, type WireErrorBody } from './wire.js';

/** OpenAI signals an exhausted quota with a 429 that retrying cannot fix. */
function isQuota(type: string | undefined, code: string | undefined): boolean {
  return type === 'insufficient_quota' || code === 'insufficient_quota';
}

/** Status for an error that came without one (an error chunk inside a 200 stream), from its type or code. */
function statusForType(type: string | undefined, code: string | undefined): number {
  const t = `${type ?? ''} ${code ?? ''}`;
  if (/insufficient_quota|rate_limit|\brequests\b|\btokens\b/.test(t)) return 429;
  if (/overloaded/.test(t)) return 503;
  if (/timeout/.test(t)) return 504;
  if (/invalid_request|context_length/.test(t)) return 400;
  if (/authentication|invalid_api_key/.test(t)) return 401;
  if (/permission/.test(t)) return 403;
  if (/not_found/.test(t)) return 404;
  return 500;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue;
    return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** Seconds to wait, from `retry-after-ms`, `retry-after` (seconds or an HTTP date). */
export function retryAfterSeconds(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms / 1000;
  const raw = header(headers, 'retry-after')?.trim();
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds : undefined;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function errorObject(parsed: unknown): { err?: Obj; outer?: Obj } {
  // Gemini's OpenAI-compatible endpoint wraps its error in an array.
  const outer = Array.isArray(parsed) ? parsed.find(isObj) : parsed;
  if (!isObj(outer)) return {};
  if (isObj(outer.error)) return { err: outer.error, outer };
  return { err: typeof outer.message === 'string' ? outer : undefined, outer };
}

function classify(status: number, err: Obj | undefined, fallbackMessage: string): ErrorInfo {
  const type = str(err?.type);
  const code = str(err?.code);
  const info: ErrorInfo = { status, kind: kindForStatus(status), message: str(err?.message) || fallbackMessage };
  if (status === 429 && isQuota(type, code)) info.noRetry = true;
  return info;
}

/** Reads an upstream error response in any of the shapes OpenAI-compatible vendors use. */
export function decodeError(status: number, body: string, headers: Record<string, string | string[] | undefined>): ErrorInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const { err, outer } = errorObject(parsed);
  const fallback = (outer && (str(outer.error) ?? str(outer.detail))) || body.trim().slice(0, 500) || `HTTP ${status}`;
  const info = classify(status, err, fallback);
  const retryAfter = retryAfterSeconds(headers);
  if (retryAfter !== undefined) info.retryAfter = retryAfter;
  return info;
}

/** An `{"error": {...}}` chunk inside a stream. */
export function streamErrorInfo(error: unknown): ErrorInfo {
  const err = isObj(error) ? error : { message: typeof error === 'string' ? error : 'the provider reported an error in the stream' };
  const status = num(err.status) ?? num(err.code) ?? statusForType(str(err.type), str(err.code));
  return classify(status, err, 'the provider reported an error in the stream');
}

interface ClientError {
  type: string;
  code: string | null;
}

const CLIENT_ERRORS: Record<ErrorKind, ClientError> = {
  invalid_request: { type: 'invalid_request_error', code: null },
  authentication: { type: 'invalid_request_error', code: 'invalid_api_key' },
  permission: { type: 'permission_error', code: null },
  not_found: { type: 'invalid_request_error', code: 'not_found' },
  request_too_large: { type: 'invalid_request_error', code: 'request_too_large' },
  rate_limit: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  billing: { type: 'insufficient_quota', code: 'insufficient_quota' },
  api_error: { type: 'server_error', code: null },
  overloaded: { type: 'server_error', code: 'overloaded' },
  timeout: { type: 'server_error', code: 'timeout' },
};

const DEFAULT_STATUS: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  request_too_large: 413,
  rate_limit: 429,
  billing: 402,
  api_error: 500,
  overloaded: 503,
  timeout: 504,
};

export function errorBody(err: ErrorInfo): { error: WireErrorBody } {
  let { type, code } = CLIENT_ERRORS[err.kind];
  if (err.kind === 'rate_limit' && err.noRetry) ({ type, code } = CLIENT_ERRORS.billing);
  return { error: { message: err.message, type, param: null, code } };
}

/**
 * The error an OpenAI client expects. The status stays what it was, except 529, which OpenAI clients do not know
 * (503 instead).
 */
export function encodeError(err: ErrorInfo, _requestId: string): { status: number; body: unknown; headers?: Record<string, string> } {
  let status = err.status >= 400 && err.status <= 599 ? err.status : DEFAULT_STATUS[err.kind];
  if (status === 529) status = 503;
  const headers: Record<string, string> = {};
  if (err.noRetry) headers['x-should-retry'] = 'false';
  if (err.retryAfter !== undefined) headers['retry-after'] = String(Math.ceil(err.retryAfter));
  return { status, body: errorBody(err), headers: Object.keys(headers).length ? headers : undefined };
}

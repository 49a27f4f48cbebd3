import type { ErrorInfo, ErrorKind } from '../../canonical/types.js';
import { errorKindForStatus } from '../../canonical/errors.js';
import { anthropicErrorType } from '../errors.js';

/** Anthropic error type and HTTP status of each canonical error kind (wire-formats 2.3). */
const BY_KIND: Record<ErrorKind, { type: string; status: number }> = {
  invalid_request: { type: 'invalid_request_error', status: 400 },
  authentication: { type: 'authentication_error', status: 401 },
  billing: { type: 'billing_error', status: 402 },
  permission: { type: 'permission_error', status: 403 },
  not_found: { type: 'not_found_error', status: 404 },
  request_too_large: { type: 'request_too_large', status: 413 },
  rate_limit: { type: 'rate_limit_error', status: 429 },
  api_error: { type: 'api_error', status: 500 },
  timeout: { type: 'timeout_error', status: 504 },
  overloaded: { type: 'overloaded_error', status: 529 },
};

// A Map, not an object: the type comes from upstream, and `valueOf` or `constructor` must not find Object.prototype.
const KIND_BY_TYPE = new Map<string, ErrorKind>(Object.entries(BY_KIND).map(([kind, v]) => [v.type, kind as ErrorKind]));

export function errorType(kind: ErrorKind): string {
  return BY_KIND[kind].type;
}

/** Canonical kind of an HTTP status, when the body names no (known) Anthropic error type. */
export const kindForStatus = errorKindForStatus;

/** Status for an Anthropic error type seen without an HTTP status (an `error` event inside a 200 stream). */
export function statusForType(type: string): number {
  const kind = KIND_BY_TYPE.get(type);
  return kind ? BY_KIND[kind].status : 500;
}

export function kindForType(type: string | undefined, status: number): ErrorKind {
  return (type !== undefined ? KIND_BY_TYPE.get(type) : undefined) ?? kindForStatus(status);
}

/**
 * The error an Anthropic client gets: status and type follow the kind (wire-formats 2.3 / 5.9.8), except that a 5xx
 * `api_error` keeps its status (a 502 stays 502). Overloaded is always 529, which Anthropic clients know and retry.
 */
export function encodeError(err: ErrorInfo, requestId: string): { status: number; body: unknown; headers?: Record<string, string> } {
  const { type, status: kindStatus } = BY_KIND[err.kind];
  const status = err.kind === 'api_error' && err.status >= 500 && anthropicErrorType(err.status) === 'api_error' ? err.status : kindStatus;
  const headers: Record<string, string> = {};
  if (err.noRetry) headers['x-should-retry'] = 'false';
  if (err.retryAfter !== undefined) headers['retry-after'] = String(Math.max(0, Math.ceil(err.retryAfter)));
  return {
    status,
    body: { type: 'error', error: { type, message: err.message }, request_id: requestId },
    ...(Object.keys(headers).length ? { headers } : {}),
  };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue;
    return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** Seconds from `retry-after-ms`, or `retry-after` as delta-seconds or an HTTP date. */
export function retryAfterSeconds(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms.trim()) / 1000;
  const ra = header(headers, 'retry-after')?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Number(ra);
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** `{error: {type?, message}}` of an error body, if it is one (a proxy in front may answer with HTML or text). */
function readError(body: string): { type?: string; message: string } | null {
  try {
    const parsed = JSON.parse(body) as { error?: { type?: unknown; message?: unknown } } | null;
    const e = parsed?.error;
    if (e && typeof e === 'object' && typeof e.message === 'string') return { type: typeof e.type === 'string' ? e.type : undefined, message: e.message };
  } catch {
    // not JSON
  }
  return null;
}

/** An upstream Anthropic error response → canonical. */
export function decodeError(status: number, body: string, headers: Record<string, string | string[] | undefined>): ErrorInfo {
  const parsed = readError(body);
  const kind = kindForType(parsed?.type, status);
  const text = body.trim();
  const message = parsed?.message ?? (text ? text.slice(0, 500) : `HTTP ${status}`);
  const info: ErrorInfo = { status, kind, message };
  const retryAfter = retryAfterSeconds(headers);
  if (retryAfter !== undefined) info.retryAfter = retryAfter;
  // A spent balance does not come back by retrying, nor does anything the upstream itself says not to retry.
  if (kind === 'billing' || header(headers, 'x-should-retry') === 'false') info.noRetry = true;
  return info;
}

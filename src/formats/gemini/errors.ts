import { errorKindForStatus } from '../canonical/errors.js';
import type { ErrorInfo } from '../canonical/types.js';
import { isObj, type Obj } from './fields.js';

/**
 * Gemini errors (`{error: {code, message, status, details}}`, wire-formats 4.8) ↔ canonical ErrorInfo, following the
 * table of wire-formats 5.9.8. A bad API key is a 400 INVALID_ARGUMENT with reason API_KEY_INVALID on Gemini, which
 * must surface as an authentication failure (and make the router fail over), not as the caller's bad request.
 */

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const REQUEST_INFO = 'type.googleapis.com/google.rpc.RequestInfo';

/** gRPC status names by the HTTP status Google uses for them. */
const STATUS_NAME: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};


/** "34.4s" (protobuf Duration JSON) → seconds, rounded up so a retry never comes early. */
export function parseRetryDelay(delay: unknown): number | undefined {
  if (typeof delay !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
  return m ? Math.ceil(Number(m[1])) : undefined;
}

function retryAfterHeader(headers: Record<string, string | string[] | undefined>): number | undefined {
  let v = headers['retry-after'] ?? headers['Retry-After'];
  if (Array.isArray(v)) v = v[0];
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs) && secs >= 0) return Math.ceil(secs);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function details(err: Obj): Obj[] {
  return Array.isArray(err.details) ? err.details.filter(isObj) : [];
}

/** The canonical error for a Gemini error object, given the HTTP status it came with. */
export function errorFromGemini(httpStatus: number, err: Obj | undefined, retryAfter?: number): ErrorInfo {
  const code = err && typeof err.code === 'number' ? err.code : undefined;
  const status = httpStatus >= 400 ? httpStatus : code !== undefined && code >= 400 ? code : 500;
  const statusName = err && typeof err.status === 'string' ? err.status : undefined;
  const message = err && typeof err.message === 'string' && err.message !== '' ? err.message : `Gemini API error (HTTP ${status}${statusName ? ` ${statusName}` : ''})`;
  const ds = err ? details(err) : [];
  const keyInvalid = ds.some((d) => d['@type'] === ERROR_INFO && d.reason === 'API_KEY_INVALID') || /API key not valid/i.test(message);
  let outStatus = status;
  let kind = errorKindForStatus(status);
  if (keyInvalid) {
    outStatus = 401;
    kind = 'authentication';
  } else if (statusName === 'UNAUTHENTICATED') {
    outStatus = 401;
    kind = 'authentication';
  } else if (statusName === 'PERMISSION_DENIED' && status === 400) {
    outStatus = 403;
    kind = 'permission';
  }
  const delay = retryAfter ?? parseRetryDelay(ds.find((d) => d['@type'] === RETRY_INFO)?.retryDelay);
  const info: ErrorInfo = { status: outStatus, kind, message };
  if (delay !== undefined) info.retryAfter = delay;
  return info;
}

/** Reads an upstream Gemini error response (the body may also be the JSON array of the non-SSE streaming endpoint). */
export function decodeGeminiError(status: number, body: string, headers: Record<string, string | string[] | undefined>): ErrorInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed)) parsed = parsed.find((x) => isObj(x) && isObj(x.error));
  const err = isObj(parsed) && isObj(parsed.error) ? parsed.error : undefined;
  const info = errorFromGemini(status, err, retryAfterHeader(headers));
  if (!err) {
    const text = body.trim();
    if (text !== '') info.message = text.length > 500 ? `${text.slice(0, 500)}…` : text;
  }
  return info;
}

/** A Gemini-shaped error response for a Gemini client (tests, the simulator). */
export function encodeGeminiError(err: ErrorInfo, requestId: string): { status: number; body: unknown; headers?: Record<string, string> } {
  // Google has no 529; its overload status is 503.
  const status = err.status === 529 ? 503 : err.status;
  const detailList: Obj[] = [{ '@type': REQUEST_INFO, requestId }];
  if (err.retryAfter !== undefined) detailList.push({ '@type': RETRY_INFO, retryDelay: `${err.retryAfter}s` });
  const body = { error: { code: status, message: err.message, status: STATUS_NAME[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'), details: detailList } };
  const headers: Record<string, string> = {};
  if (err.retryAfter !== undefined) headers['retry-after'] = String(err.retryAfter);
  if (err.noRetry) headers['x-should-retry'] = 'false';
  return Object.keys(headers).length > 0 ? { status, body, headers } : { status, body };
}

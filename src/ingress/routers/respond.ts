/**
 * Answers of the router API (`/router/v1/routers`). Errors use the Google API error shape the hosted router API
 * follows (its operations carry `error: {code, message, details}`; its clients read `error.message`):
 * `{"error": {"code": 404, "status": "NOT_FOUND", "type": "not_found_error", "message": "...", "errors"?: [...]}}`.
 * `code` is the HTTP status, `status` the google.rpc.Code name, `type` Switchyard's error type (the same vocabulary
 * as the Anthropic-format endpoints); validation failures add `errors: [{path, message}]` and the equivalent
 * `details: [{"@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{field, description}]}]`.
 */
import type { Services } from '../../app-types.js';
import type { ValidationError } from '../../routing/routers/index.js';
import { identifyCaller } from '../auth.js';
import type { RequestContext } from '../context.js';
import { sendJson } from '../respond.js';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  413: 'INVALID_ARGUMENT',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

const TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  503: 'api_error',
};

export interface RouterErrorOptions {
  /** google.rpc.Code name when the status alone does not say it (409: ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED). */
  status?: string;
  errors?: ValidationError[];
  errorClass?: string;
}

/** The error body, also used for a failed operation's `error`. */
export function routerErrorBody(code: number, message: string, opts: RouterErrorOptions = {}): Record<string, unknown> {
  const error: Record<string, unknown> = { code, status: opts.status ?? STATUS_NAMES[code] ?? 'UNKNOWN', type: TYPES[code] ?? 'api_error', message };
  if (opts.errors) {
    error.errors = opts.errors;
    error.details = [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: opts.errors.map((e) => ({ field: e.path, description: e.message })) }];
  }
  return { error };
}

export function sendRouterError(ctx: RequestContext, code: number, message: string, opts: RouterErrorOptions = {}): void {
  const body = routerErrorBody(code, message, opts);
  ctx.fail(code, opts.errorClass ?? ((body.error as { type: string }).type), message);
  sendJson(ctx.res, code, JSON.stringify(body), { 'x-request-id': ctx.id });
}

export function sendRouterJson(ctx: RequestContext, status: number, body: unknown): void {
  ctx.status = status;
  sendJson(ctx.res, status, JSON.stringify(body), { 'x-request-id': ctx.id });
}

/**
 * Authenticates the caller (any valid client key may read) and, for writes, checks the admin key or the
 * `routers:write` permission. Answers 401/403 itself and returns false when the request is finished.
 */
export function authorizeRouters(svc: Services, ctx: RequestContext, write: boolean): boolean {
  const caller = identifyCaller(svc, ctx.req);
  if (!caller.ok) {
    if (caller.status === 429) {
      ctx.fail(429, caller.errorClass ?? 'auth_throttled', caller.message);
      sendJson(ctx.res, 429, JSON.stringify(routerErrorBody(429, caller.message, { status: 'RESOURCE_EXHAUSTED' })), { 'x-request-id': ctx.id, 'retry-after': String(caller.retryAfterS ?? 1) });
    } else {
      sendRouterError(ctx, caller.status, caller.message, caller.errorClass ? { errorClass: caller.errorClass } : {});
    }
    return false;
  }
  const key = caller.key;
  ctx.key = key;
  if (write && !key.admin && !key.permissions.includes('routers:write')) {
    sendRouterError(ctx, 403, `Key "${key.name}" may read routers but not change them: router writes need the admin key or a client key with the routers:write permission (switchyard keys create <name> --permission routers:write).`);
    return false;
  }
  return true;
}

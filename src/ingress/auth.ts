import type { IncomingMessage } from 'node:http';
import { presentedKey, type AuthenticatedKey } from '../auth/index.js';
import type { Services } from '../app-types.js';
import type { RequestContext } from './context.js';
import { portalSession } from './portal/index.js';
import { sendError } from './respond.js';
import { authThrottle } from './auth-throttle.js';

/** The identity a portal session acts as: the admin key's. */
const PORTAL_ADMIN: AuthenticatedKey = { id: 'admin', name: 'admin', permissions: ['admin', 'routers:write'], admin: true };

/**
 * Where the portal's session cookie counts as credentials: the APIs its pages call. Never the model endpoints, so a
 * page the admin happens to have open cannot spend tokens through them.
 */
const SESSION_PATHS = ['/admin/v1/', '/router/v1/', '/llm/v1alpha/models'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type SessionCaller = { ok: true; key: AuthenticatedKey } | { ok: false; message: string };

/**
 * The caller as identified by a portal session cookie, for requests that carry no key. Null when the path does not
 * take sessions or there is no valid session. A state-changing call must also echo the session's CSRF token in
 * `x-csrf-token` (SameSite=Strict already stops cross-site sends; the header is the second lock).
 */
export function sessionCaller(svc: Services, req: IncomingMessage): SessionCaller | null {
  const path = req.url ?? '';
  if (!SESSION_PATHS.some((p) => path.startsWith(p))) return null;
  const s = portalSession(svc, req);
  if (!s) return null;
  if (!SAFE_METHODS.has(req.method ?? 'GET')) {
    const header = req.headers['x-csrf-token'];
    if (!s.sessions.checkCsrf(s.session, Array.isArray(header) ? header[0] : header)) {
      return { ok: false, message: 'Missing or wrong x-csrf-token header: portal sessions must send the token GET /portal/api/session returns with every change.' };
    }
  }
  return { ok: true, key: PORTAL_ADMIN };
}

/** Who is calling, or why nobody is: the same decision for every surface, each answering in its own error shape. */
export type Caller =
  | { ok: true; key: AuthenticatedKey }
  | { ok: false; status: 401 | 403 | 429; message: string; errorClass?: string; retryAfterS?: number };

/**
 * A presented key (throttled per address after repeated failures), else a portal session where sessions count.
 * Records a failed key against the caller's address.
 */
export function identifyCaller(svc: Services, req: IncomingMessage): Caller {
  const presented = presentedKey(req.headers as { authorization?: string; 'x-api-key'?: string });
  if (!presented) {
    const viaSession = sessionCaller(svc, req);
    if (viaSession?.ok) return viaSession;
    if (viaSession) return { ok: false, status: 403, message: viaSession.message, errorClass: 'csrf' };
    return { ok: false, status: 401, message: 'Missing API key: send it as "x-api-key: <key>" or "Authorization: Bearer <key>".' };
  }
  const throttle = authThrottle(svc);
  const wait = throttle.blockedFor(req.socket.remoteAddress);
  if (wait > 0) {
    return { ok: false, status: 429, message: 'Too many failed authentications from this address; try again later.', errorClass: 'auth_throttled', retryAfterS: Math.ceil(wait / 1000) };
  }
  const key = svc.keys.authenticate(presented);
  if (!key) {
    throttle.fail(req.socket.remoteAddress);
    return { ok: false, status: 401, message: 'Invalid API key: it is unknown or has been revoked.' };
  }
  return { ok: true, key };
}

const CALLER_ERROR_TYPES = { 401: 'authentication_error', 403: 'permission_error', 429: 'rate_limit_error' } as const;

/** Authenticates the caller or answers 401/403/429 in the caller's format. Returns false when the request is finished. */
export function authenticate(svc: Services, ctx: RequestContext): boolean {
  const caller = identifyCaller(svc, ctx.req);
  if (!caller.ok) {
    const headers = caller.retryAfterS === undefined ? undefined : { 'retry-after': String(caller.retryAfterS) };
    sendError(ctx, caller.status, caller.message, { type: CALLER_ERROR_TYPES[caller.status], ...(caller.errorClass ? { errorClass: caller.errorClass } : {}), ...(headers ? { headers } : {}) });
    return false;
  }
  ctx.key = caller.key;
  return true;
}

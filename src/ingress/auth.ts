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

/** Authenticates the caller or answers 401/403 in the caller's format. Returns false when the request is finished. */
export function authenticate(svc: Services, ctx: RequestContext): boolean {
  const presented = presentedKey(ctx.req.headers as { authorization?: string; 'x-api-key'?: string });
  if (!presented) {
    const viaSession = sessionCaller(svc, ctx.req);
    if (viaSession?.ok) {
      ctx.key = viaSession.key;
      return true;
    }
    if (viaSession) {
      sendError(ctx, 403, viaSession.message, { type: 'permission_error', errorClass: 'csrf' });
      return false;
    }
    sendError(ctx, 401, 'Missing API key: send it as "x-api-key: <key>" or "Authorization: Bearer <key>".', { type: 'authentication_error' });
    return false;
  }
  const throttle = authThrottle(svc);
  const wait = throttle.blockedFor(ctx.req.socket.remoteAddress);
  if (wait > 0) {
    sendError(ctx, 429, 'Too many failed authentications from this address; try again later.', { type: 'rate_limit_error', errorClass: 'auth_throttled', headers: { 'retry-after': String(Math.ceil(wait / 1000)) } });
    return false;
  }
  const key = svc.keys.authenticate(presented);
  if (!key) {
    throttle.fail(ctx.req.socket.remoteAddress);
    sendError(ctx, 401, 'Invalid API key: it is unknown or has been revoked.', { type: 'authentication_error' });
    return false;
  }
  ctx.key = key;
  return true;
}

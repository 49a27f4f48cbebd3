/**
 * The web portal (SPEC section 9): the single-page app built from `portal/` into `dist/portal/`, served at `/portal`,
 * and its session API:
 * - `POST   /portal/api/session {admin_key}` sign in: sets the HttpOnly session cookie, answers `{csrf_token}`
 * - `GET    /portal/api/session`             `{signed_in: true, csrf_token}` while signed in, else `{signed_in: false}`
 * - `DELETE /portal/api/session`             sign out (needs `x-csrf-token`)
 * The pages call the documented APIs (`/admin/v1`, `/router/v1`, `/llm/v1alpha/models`); `authenticate()` accepts
 * the session cookie there (see ../auth.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import path from 'node:path';
import type FindMyWay from 'find-my-way';
import type { Services } from '../../app-types.js';
import { secretsEqual } from '../../auth/index.js';
import { BodyTooLargeError, readBody } from '../body.js';
import { PortalSessions, readCookie, SESSION_COOKIE, type PortalSession } from './session.js';
import { authThrottle } from '../auth-throttle.js';
import { PortalAssets, SECURITY_HEADERS } from './static.js';
import { packageRoot } from '../../util/package-root.js';

export { SESSION_COOKIE, type PortalSession } from './session.js';

/** The built portal, dist/portal; looked up when the portal is first served. */
const defaultDir = () => path.join(packageRoot(import.meta.url), 'dist', 'portal');

interface PortalState {
  /** Null when no admin key is configured: nobody can sign in. */
  sessions: PortalSessions | null;
  /** Read on the first page request, not at start: most processes (tests, CLI commands) never serve the portal. */
  assets: () => Promise<PortalAssets | null>;
}

const loading = new WeakMap<Services, Promise<PortalState>>();
const ready = new WeakMap<Services, PortalState>();

/** Reads the store secret once (sessions must verify from the first request); later calls return the same promise. */
export function portalReady(svc: Services, dir?: string): Promise<void> {
  let p = loading.get(svc);
  if (!p) {
    p = (async () => {
      const adminKey = svc.config.auth.admin_key;
      const sessions = adminKey === undefined ? null : new PortalSessions(await svc.store.secret(), adminKey);
      let assets: Promise<PortalAssets | null> | null = null;
      const load = () => {
        if (assets) return assets;
        // Once: the package root is found on disk, which no page request should repeat.
        const from = dir ?? defaultDir();
        return (assets = PortalAssets.load(from).then((a) => {
          if (!a) svc.log.warn({ dir: from }, 'the portal is not built; /portal answers 503 until `npm run build` has run');
          return a;
        }));
      };
      const state: PortalState = { sessions, assets: load };
      ready.set(svc, state);
      return state;
    })();
    loading.set(svc, p);
  }
  return p.then(() => undefined);
}

/** The caller's portal session, from its cookie; null without a valid one (or before the portal state is loaded). */
export function portalSession(svc: Services, req: IncomingMessage): { session: PortalSession; sessions: PortalSessions } | null {
  const sessions = ready.get(svc)?.sessions;
  if (!sessions) return null;
  const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
  const session = cookie ? sessions.verify(cookie) : null;
  return session ? { session, sessions } : null;
}

function overTls(req: IncomingMessage): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  // Behind a TLS-terminating proxy; marking the cookie Secure on its word can only make the cookie stricter.
  const proto = req.headers['x-forwarded-proto'];
  return (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0].trim().toLowerCase() === 'https';
}

function cookieHeader(req: IncomingMessage, value: string, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${overTls(req) ? '; Secure' : ''}`;
}

function json(res: ServerResponse, status: number, body: unknown, extra: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store', ...extra });
  res.end(text);
}

function fail(res: ServerResponse, status: number, type: string, message: string, extra: Record<string, string> = {}): void {
  json(res, status, { error: { type, message } }, extra);
}

/** Same-origin check for sign-in: browsers always send Origin on a cross-site POST. */
function crossOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

async function signIn(svc: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const state = await loading.get(svc)!;
  if (!state.sessions) {
    return fail(res, 403, 'permission_error', 'No admin key is configured: set auth.admin_key in the config file (at least 16 characters) and restart to use the portal.');
  }
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return fail(res, 415, 'invalid_request_error', 'Send the admin key as JSON: {"admin_key": "..."}.');
  if (crossOrigin(req)) return fail(res, 403, 'permission_error', 'Sign-in must come from the portal itself.');
  // The same per-address budget as failed API keys: a guesser gains nothing by switching to the sign-in form.
  const throttle = authThrottle(svc);
  const who = req.socket.remoteAddress;
  const wait = throttle.blockedFor(who);
  if (wait > 0) {
    return fail(res, 429, 'rate_limit_error', 'Too many failed sign-ins from this address; try again later.', { 'retry-after': String(Math.ceil(wait / 1000)) });
  }
  let body: unknown;
  try {
    body = JSON.parse((await readBody(req, 8192)).toString('utf8'));
  } catch (e) {
    if (e instanceof BodyTooLargeError) return fail(res, 413, 'request_too_large', 'The sign-in body is too large.');
    return fail(res, 400, 'invalid_request_error', 'The body is not valid JSON.');
  }
  const presented = (body as { admin_key?: unknown } | null)?.admin_key;
  if (typeof presented !== 'string' || presented === '') return fail(res, 400, 'invalid_request_error', 'admin_key is required.');
  if (!secretsEqual(presented, svc.config.auth.admin_key!)) {
    throttle.fail(who);
    svc.log.warn({ remote: who }, 'portal sign-in with a wrong admin key');
    return fail(res, 401, 'authentication_error', 'That is not the admin key.');
  }
  const { token, session } = state.sessions.issue();
  json(res, 200, { csrf_token: session.csrf, expires_at: new Date(session.expiresAt).toISOString() }, { 'set-cookie': cookieHeader(req, token, Math.floor((session.expiresAt - Date.now()) / 1000)) });
}

async function whoAmI(svc: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  await loading.get(svc);
  const s = portalSession(svc, req);
  // 200 either way: the app asks this on every load, and a 401 would put an error in the browser console each time.
  if (!s) return json(res, 200, { signed_in: false });
  json(res, 200, { signed_in: true, csrf_token: s.session.csrf, expires_at: new Date(s.session.expiresAt).toISOString() });
}

async function signOut(svc: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  await loading.get(svc);
  const s = portalSession(svc, req);
  const clear = cookieHeader(req, '', 0);
  if (!s) return json(res, 200, { signed_out: true }, { 'set-cookie': clear });
  const csrf = req.headers['x-csrf-token'];
  if (!s.sessions.checkCsrf(s.session, Array.isArray(csrf) ? csrf[0] : csrf)) return fail(res, 403, 'permission_error', 'Missing or wrong x-csrf-token header.');
  s.sessions.revoke(s.session);
  json(res, 200, { signed_out: true }, { 'set-cookie': clear });
}

function guard(svc: Services, fn: (svc: Services, req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    fn(svc, req, res).catch((err: unknown) => {
      svc.log.error({ err }, 'portal request failed unexpectedly');
      if (!res.headersSent) fail(res, 500, 'api_error', 'Internal error in Switchyard; see the router log.');
      else res.destroy();
    });
  };
}

function serveApp(svc: Services) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent((req.url ?? '/').split('?')[0]);
    } catch {
      pathname = '/portal/';
    }
    if (pathname === '/portal') {
      // One canonical address, so the browser's history and the client-side routes agree on the base.
      res.writeHead(308, { ...SECURITY_HEADERS, location: '/portal/', 'content-length': '0' });
      res.end();
      return;
    }
    const rest = pathname.slice('/portal'.length) || '/';
    void loading.get(svc)!.then(async (state) => {
      const assets = await state.assets();
      if (!assets) {
        res.writeHead(503, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end('The portal has not been built: run `npm run build` and restart Switchyard.\n');
        return;
      }
      assets.serve(req, res, rest === '/' ? '/index.html' : rest);
    }).catch((err: unknown) => {
      svc.log.error({ err }, 'serving the portal failed');
      if (!res.headersSent) fail(res, 500, 'api_error', 'Internal error in Switchyard; see the router log.');
    });
  };
}

type Router = FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;

/** Adds the portal's routes. Portal pages and sign-ins are not request records: those are for model traffic. */
export function registerPortal(router: Router, svc: Services): void {
  void portalReady(svc);
  router.on('POST', '/portal/api/session', guard(svc, signIn));
  router.on('GET', '/portal/api/session', guard(svc, whoAmI));
  router.on('DELETE', '/portal/api/session', guard(svc, signOut));
  router.all('/portal/api/*', (_req, res) => fail(res, 404, 'not_found_error', 'No such portal API; the portal reads /admin/v1, /router/v1 and /llm/v1alpha.'));
  const app = serveApp(svc);
  for (const method of ['GET', 'HEAD'] as const) {
    router.on(method, '/portal', app);
    router.on(method, '/portal/*', app);
  }
}

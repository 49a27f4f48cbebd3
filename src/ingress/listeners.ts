import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Services } from '../app-types.js';
import type { Config } from '../config/index.js';
import { presentedKey, secretsEqual } from '../auth/index.js';
import { authThrottle } from './auth-throttle.js';
import { answerClientError } from './client-error.js';
import { sendJson } from './respond.js';

/** Which listener a server is: the main one, or the separate admin one of `server.admin_bind`. */
export type ListenerRole = 'main' | 'admin';

const ADMIN_ONLY = /^\/(admin\/|portal(\/|\?|$))/;
/** What the admin listener serves: the admin API, the portal and the APIs its pages call, and the operator's probes. */
const ADMIN_LISTENER = /^\/(admin\/|portal(\/|\?|$)|router\/v1\/|llm\/v1alpha\/models|healthz|readyz|metrics)/;

/**
 * Whether a listener serves this path. Without `admin_bind` the main listener serves everything; with it, the admin
 * API and the portal exist only on the admin listener, so the client-facing port cannot reach them at all.
 */
export function servesPath(config: Config, role: ListenerRole, url: string | undefined): boolean {
  const path = url ?? '/';
  if (role === 'admin') return ADMIN_LISTENER.test(path);
  return !(config.server.admin_bind && ADMIN_ONLY.test(path));
}

/** `server.tls` files, read once; a clear error names the file that cannot be read. */
export function readTls(config: Config): { cert: Buffer; key: Buffer } | null {
  const tls = config.server.tls;
  if (!tls) return null;
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new Error(`server.tls.${what}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  };
  return { cert: read('cert', tls.cert), key: read('key', tls.key) };
}

/** An HTTP or (with `server.tls`) HTTPS server whose parser-level rejections are answered and recorded. */
export function createListener(svc: Services, handler: RequestListener): http.Server {
  const common = { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 };
  const tls = readTls(svc.config);
  const server: http.Server = tls ? https.createServer({ ...common, cert: tls.cert, key: tls.key }, handler) : http.createServer(common, handler);
  server.on('clientError', (err: Error & { code?: string; rawPacket?: Buffer }, socket) => answerClientError(svc, err, socket as Socket));
  return server;
}

/** The split host and port of `admin_bind` (`127.0.0.1:9091`, `[::1]:9091`). */
export function parseBind(bind: string): { host: string; port: number } {
  const colon = bind.lastIndexOf(':');
  const host = bind.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(bind.slice(colon + 1)) };
}

/**
 * With `metrics.require_key`, GET /metrics needs the scrape key (`metrics.key`) or the admin key. Client keys are not
 * enough: the metrics describe every tenant's traffic. Answers 401 (or 429 while the address is throttled) itself.
 */
export function metricsAuthorized(svc: Services, req: IncomingMessage, res: ServerResponse): boolean {
  const m = svc.config.metrics;
  if (!m.require_key) return true;
  const throttle = authThrottle(svc);
  const wait = throttle.blockedFor(req.socket.remoteAddress);
  if (wait > 0) {
    sendJson(res, 429, JSON.stringify({ error: { message: 'Too many failed authentications from this address; try again later.', type: 'rate_limit_error' } }), { 'retry-after': String(Math.ceil(wait / 1000)) });
    return false;
  }
  const presented = presentedKey(req.headers as { authorization?: string; 'x-api-key'?: string });
  const admin = svc.config.auth.admin_key;
  if (presented && ((m.key !== undefined && secretsEqual(presented, m.key)) || (admin !== undefined && secretsEqual(presented, admin)))) return true;
  if (presented) throttle.fail(req.socket.remoteAddress);
  sendJson(res, 401, JSON.stringify({ error: { message: 'GET /metrics needs the metrics key or the admin key (metrics.require_key is on).', type: 'authentication_error' } }), { 'www-authenticate': 'Bearer' });
  return false;
}

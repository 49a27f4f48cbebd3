/**
 * The router API (SPEC section 1; hosted-router-notes section 2.1), compatible with the hosted router's:
 * - `POST   /router/v1/routers[?router_id=<id>]`   create → operation `{name, done: true, response: <router>}`
 * - `GET    /router/v1/routers?page_size&page_token` list → `{routers: [...], next_page_token?}`
 * - `GET    /router/v1/routers/{id}`                get → the router
 * - `PATCH  /router/v1/routers/{id}?update_mask=a,b.c` update → operation
 * - `DELETE /router/v1/routers/{id}`                delete → `{}`
 * - `POST   /router/v1/routers/{id}:test`           dry run (Switchyard's; no provider is called)
 * Any valid client key may read and test; writes need the admin key or a key with `routers:write`.
 */
import { randomUUID } from 'node:crypto';
import type { Services } from '../../app-types.js';
import { parseUpdateMask, type RegisteredRouter, type RouterWriteResult } from '../../routing/router-registry.js';
import { BodyTooLargeError, readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { dryRun } from './dry-run.js';
import { authorizeRouters, sendRouterError, sendRouterJson } from './respond.js';

type Handler = (svc: Services, ctx: RequestContext) => Promise<void>;

/** An unexpected exception still answers in this API's error shape (the `recorded` wrapper would use OpenAI's). */
function guarded(handler: Handler): Handler {
  return async (svc, ctx) => {
    try {
      await handler(svc, ctx);
    } catch (err) {
      if (ctx.res.headersSent) throw err;
      svc.log.error({ err, requestId: ctx.id }, 'router API request failed unexpectedly');
      sendRouterError(ctx, 500, `Internal error in Switchyard; see the router log for request ${ctx.id}`, { errorClass: 'internal' });
    }
  };
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

function url(ctx: RequestContext): URL {
  return new URL(ctx.req.url ?? '/', 'http://x');
}

/** First of several spellings of a query parameter (`router_id` / `routerId`). */
function query(u: URL, ...names: string[]): string | null {
  for (const n of names) {
    const v = u.searchParams.get(n);
    if (v !== null) return v;
  }
  return null;
}

/** The `{id}` path segment; for a custom method (`{id}:test`), without its suffix. */
function pathId(ctx: RequestContext, verb?: string): string {
  const path = url(ctx).pathname.replace(/\/+$/, '');
  const last = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  return verb && last.endsWith(`:${verb}`) ? last.slice(0, -verb.length - 1) : last;
}

/** Reads a JSON body; answers 400/413 itself and returns undefined when it cannot. */
async function readJson(svc: Services, ctx: RequestContext): Promise<{ value: unknown } | undefined> {
  let buf: Buffer;
  try {
    buf = await readBody(ctx.req, svc.config.server.body_limit);
  } catch (e) {
    if (e instanceof BodyTooLargeError) {
      sendRouterError(ctx, 413, `Request body is too large: the limit is ${svc.config.server.body_limit} bytes.`);
      return undefined;
    }
    throw e;
  }
  if (buf.length === 0) return { value: undefined };
  try {
    return { value: JSON.parse(buf.toString('utf8')) as unknown };
  } catch (e) {
    sendRouterError(ctx, 400, `The body is not valid JSON: ${(e as Error).message}`);
    return undefined;
  }
}

function operation(kind: 'create' | 'update', entry: RegisteredRouter, svc: Services): Record<string, unknown> {
  return {
    name: `operations/${kind}-${entry.id}-v${entry.version}-${randomUUID().slice(0, 8)}`,
    metadata: { '@type': 'type.googleapis.com/switchyard.router.v1.RouterOperationMetadata', verb: kind, router: entry.router.name, version: entry.version },
    done: true,
    response: svc.routers.apiJson(entry),
  };
}

function sendWriteFailure(ctx: RequestContext, r: Exclude<RouterWriteResult, { ok: true }>): void {
  if (r.status === 400) {
    sendRouterError(ctx, 400, r.message, { errors: r.errors, errorClass: 'invalid_router' });
    return;
  }
  const status = r.reason === 'config' ? 'FAILED_PRECONDITION' : r.reason === 'conflict' ? 'ABORTED' : r.status === 409 ? 'ALREADY_EXISTS' : undefined;
  sendRouterError(ctx, r.status, r.message, { status });
}

export const handleCreateRouter = guarded(async (svc: Services, ctx: RequestContext): Promise<void> => {
  if (!authorizeRouters(svc, ctx, true)) return;
  const body = await readJson(svc, ctx);
  if (!body) return;
  const id = query(url(ctx), 'router_id', 'routerId');
  const r = await svc.routers.create(body.value ?? {}, id);
  if (!r.ok) return sendWriteFailure(ctx, r);
  sendRouterJson(ctx, 200, operation('create', r.router, svc));
});

/** Page tokens are opaque to callers: base64url of `{"after": "<last id of the previous page>"}`. */
function encodePageToken(afterId: string): string {
  return Buffer.from(JSON.stringify({ after: afterId })).toString('base64url');
}

function decodePageToken(token: string): string | null {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    return v !== null && typeof v === 'object' && typeof (v as { after?: unknown }).after === 'string' ? (v as { after: string }).after : null;
  } catch {
    return null;
  }
}

export const handleListRouters = guarded(async (svc: Services, ctx: RequestContext): Promise<void> => {
  if (!authorizeRouters(svc, ctx, false)) return;
  const u = url(ctx);
  const sizeText = query(u, 'page_size', 'pageSize');
  let size = DEFAULT_PAGE_SIZE;
  if (sizeText !== null && sizeText !== '') {
    const n = Number(sizeText);
    if (!Number.isInteger(n) || n < 0) return sendRouterError(ctx, 400, `page_size must be a non-negative whole number, got "${sizeText}"`, { errors: [{ path: 'page_size', message: 'must be a non-negative whole number' }] });
    // AIP-158: 0 means the default; above the maximum is coerced to it.
    size = n === 0 ? DEFAULT_PAGE_SIZE : Math.min(n, MAX_PAGE_SIZE);
  }
  const token = query(u, 'page_token', 'pageToken');
  let after: string | null = null;
  if (token !== null && token !== '') {
    after = decodePageToken(token);
    if (after === null) return sendRouterError(ctx, 400, 'page_token is not a token this API returned', { errors: [{ path: 'page_token', message: 'invalid page token' }] });
  }
  const all = svc.routers.list();
  const rest = after === null ? all : all.filter((r) => r.id > after);
  const page = rest.slice(0, size);
  const out: Record<string, unknown> = { routers: page.map((r) => svc.routers.apiJson(r)) };
  if (rest.length > size) out.next_page_token = encodePageToken(page[page.length - 1].id);
  sendRouterJson(ctx, 200, out);
});

export const handleGetRouter = guarded(async (svc: Services, ctx: RequestContext): Promise<void> => {
  if (!authorizeRouters(svc, ctx, false)) return;
  const id = pathId(ctx);
  const entry = svc.routers.get(id);
  if (!entry) return sendRouterError(ctx, 404, `router "${id}" does not exist. List routers with GET /router/v1/routers.`);
  sendRouterJson(ctx, 200, svc.routers.apiJson(entry));
});

export const handleUpdateRouter = guarded(async (svc: Services, ctx: RequestContext): Promise<void> => {
  if (!authorizeRouters(svc, ctx, true)) return;
  const body = await readJson(svc, ctx);
  if (!body) return;
  const mask = parseUpdateMask(query(url(ctx), 'update_mask', 'updateMask'));
  const r = await svc.routers.update(pathId(ctx), body.value ?? {}, mask);
  if (!r.ok) return sendWriteFailure(ctx, r);
  sendRouterJson(ctx, 200, operation('update', r.router, svc));
});

export const handleDeleteRouter = guarded(async (svc: Services, ctx: RequestContext): Promise<void> => {
  if (!authorizeRouters(svc, ctx, true)) return;
  const r = await svc.routers.delete(pathId(ctx));
  if (!r.ok) return sendWriteFailure(ctx, r);
  sendRouterJson(ctx, 200, {});
});

export const handleTestRouter = guarded(async (svc: Services, ctx: RequestContext): Promise<void> => {
  if (!authorizeRouters(svc, ctx, false)) return;
  const body = await readJson(svc, ctx);
  if (!body) return;
  const id = pathId(ctx, 'test');
  ctx.requestedModel = `router/${id}`;
  const r = dryRun(svc, { id, body: body.value, keyName: ctx.key?.name ?? null });
  if (!r.ok) return sendRouterError(ctx, r.status, r.message, { errors: r.errors });
  sendRouterJson(ctx, 200, r.result);
});

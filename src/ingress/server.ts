import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import FindMyWay from 'find-my-way';
import type { Services } from '../app-types.js';
import type { RequestRecord } from '../telemetry/record.js';
import { priceRecord } from '../telemetry/cost/index.js';
import { settleLimits } from './limits.js';
import { handleCountTokens } from './anthropic/count-tokens.js';
import { handleMessages } from './anthropic/messages.js';
import { RequestContext, type ApiSurface } from './context.js';
import { handleCatalog, handleModels } from './models.js';
import { handleCircuits, handleCreateKey, handleGetRequest, handleListKeys, handleListRequests, handleRevokeKey, handleStats, handleUsage } from './admin/index.js';
import { handleChatCompletions } from './openai/chat.js';
import { handleCreateRouter, handleDeleteRouter, handleGetRouter, handleListRouters, handleTestRouter, handleUpdateRouter } from './routers/handlers.js';
import { sendError, sendJson } from './respond.js';
import { registerPortal } from './portal/index.js';
import { createListener, metricsAuthorized, servesPath, type ListenerRole } from './listeners.js';

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'cookie', 'proxy-authorization']);

/** Request headers fit for a log line: credentials replaced, whatever logger is in use. */
export function safeHeaders(headers: IncomingMessage['headers']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADERS.has(k) ? '[redacted]' : v;
  return out;
}

/** Feeds each attempt's timing into the live statistics that `auto` and "fastest first" read. */
function noteLatency(svc: Services, record: RequestRecord): void {
  if (record.endpoint !== 'messages' && record.endpoint !== 'chat_completions') return;
  for (const a of record.attempts) {
    if (a.status === null && a.errorClass === 'client_closed') continue;
    const winner = a.success && record.provider === a.provider;
    const sample = {
      provider: a.provider,
      model: a.model,
      ttftMs: a.success ? a.ttftMs : null,
      outputTokens: winner ? (record.usage?.output ?? 0) : 0,
      generationMs: a.ttftMs === null ? 0 : Math.max(a.durationMs - a.ttftMs, 0),
      ok: a.success,
      at: record.time,
    };
    svc.stats.record(sample);
    svc.cluster.noteSample(sample);
  }
}

type Handler = (svc: Services, ctx: RequestContext) => Promise<void>;

/**
 * Wraps a handler so every request, answered or failed, is recorded exactly once, and an unexpected exception becomes
 * a 500 in the caller's format instead of a dropped connection.
 */
function recorded(svc: Services, api: ApiSurface, endpoint: string, handler: Handler) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const ctx = new RequestContext(req, res, api, endpoint);
    if (svc.bodies) ctx.responseChunks = svc.bodies.tap(res);
    // Shutdown waits for this request's record even if its connection was already closed (cut at the grace deadline).
    svc.recorder.requestStarted();
    const done = () => {
      // Before the record is added, but the shutdown only resumes after this synchronous function: the add is seen.
      svc.recorder.requestEnded();
      const record = ctx.finish();
      if (!record) return;
      priceRecord(record, svc.catalog);
      if (ctx.limitTicket) settleLimits(svc, ctx.limitTicket, record);
      if (svc.bodies) svc.bodies.fill(record, ctx.requestBody, ctx.responseChunks, req.headers);
      // The handler has settled and the response is over: nothing of this request reads its body any more.
      if (ctx.requestBody) svc.bodyPool.release(ctx.requestBody);
      ctx.requestBody = null;
      svc.recorder.add(record);
      noteLatency(svc, record);
      svc.metrics.observe(record);
      svc.tracing?.exportRecord(record);
      // Debug access log; the logger redacts credential headers (see createLogger).
      if (svc.log.isLevelEnabled('debug')) {
        svc.log.debug({ req: { method: req.method, url: req.url, headers: safeHeaders(req.headers) }, record }, 'request finished');
      }
    };
    handler(svc, ctx)
      .catch((err: unknown) => {
        svc.log.error({ err, requestId: ctx.id }, 'request failed unexpectedly');
        if (!res.headersSent) sendError(ctx, 500, 'Internal error in Switchyard; see the router log for request ' + ctx.id, { type: 'api_error', errorClass: 'internal' });
        else {
          ctx.fail(500, 'internal', (err as Error).message);
          res.destroy();
        }
      })
      .finally(() => {
        if (res.writableFinished || res.destroyed) done();
        else res.once('close', done);
      });
  };
}

async function notFound(_svc: Services, ctx: RequestContext): Promise<void> {
  const path = ctx.req.url?.split('?')[0] ?? '';
  sendError(ctx, 404, `No route for ${ctx.req.method} ${path}. Switchyard serves POST /v1/messages, POST /v1/messages/count_tokens, POST /v1/chat/completions and GET /v1/models.`, { type: 'not_found_error', code: 'not_found' });
}

export function createHttpServer(svc: Services, role: ListenerRole = 'main'): http.Server {
  const router = FindMyWay({
    ignoreTrailingSlash: true,
    // An unknown path answers in the format its prefix suggests (OpenAI for /v1/chat..., Anthropic otherwise).
    defaultRoute: (req, res) => recorded(svc, req.url?.startsWith('/v1/chat') ? 'openai' : 'anthropic', 'unknown', notFound)(req, res),
  });
  router.on('POST', '/v1/messages', recorded(svc, 'anthropic', 'messages', handleMessages));
  router.on('POST', '/v1/messages/count_tokens', recorded(svc, 'anthropic', 'count_tokens', handleCountTokens));
  router.on('POST', '/v1/chat/completions', recorded(svc, 'openai', 'chat_completions', handleChatCompletions));
  router.on('GET', '/v1/models', recorded(svc, 'anthropic', 'models', handleModels));
  router.on('GET', '/llm/v1alpha/models', recorded(svc, 'openai', 'catalog', handleCatalog));
  // Router API (hosted-router compatible). `:test` is a literal suffix: `::` escapes the colon, and the regex keeps the
  // id parameter from swallowing it.
  router.on('POST', '/router/v1/routers', recorded(svc, 'openai', 'routers.create', handleCreateRouter));
  router.on('GET', '/router/v1/routers', recorded(svc, 'openai', 'routers.list', handleListRouters));
  router.on('GET', '/router/v1/routers/:id', recorded(svc, 'openai', 'routers.get', handleGetRouter));
  router.on('PATCH', '/router/v1/routers/:id', recorded(svc, 'openai', 'routers.update', handleUpdateRouter));
  router.on('DELETE', '/router/v1/routers/:id', recorded(svc, 'openai', 'routers.delete', handleDeleteRouter));
  router.on('POST', '/router/v1/routers/:id(^[^/:]+)::test', recorded(svc, 'openai', 'routers.test', handleTestRouter));
  router.on('GET', '/admin/v1/circuits', recorded(svc, 'openai', 'admin.circuits', handleCircuits));
  router.on('GET', '/admin/v1/requests', recorded(svc, 'openai', 'admin.requests.list', handleListRequests));
  router.on('GET', '/admin/v1/requests/:id', recorded(svc, 'openai', 'admin.requests.get', handleGetRequest));
  router.on('GET', '/admin/v1/usage', recorded(svc, 'openai', 'admin.usage', handleUsage));
  router.on('GET', '/admin/v1/keys', recorded(svc, 'openai', 'admin.keys.list', handleListKeys));
  router.on('POST', '/admin/v1/keys', recorded(svc, 'openai', 'admin.keys.create', handleCreateKey));
  router.on('DELETE', '/admin/v1/keys/:id', recorded(svc, 'openai', 'admin.keys.revoke', handleRevokeKey));
  router.on('GET', '/admin/v1/stats', recorded(svc, 'openai', 'admin.stats', handleStats));
  router.on('GET', '/metrics', (req, res) => {
    if (!metricsAuthorized(svc, req, res)) return;
    svc.metrics.registry.metrics().then(
      (text) => sendJson(res, 200, text, { 'content-type': svc.metrics.registry.contentType }),
      (err: unknown) => sendJson(res, 500, JSON.stringify({ error: (err as Error).message })),
    );
  });
  registerPortal(router, svc);
  router.on('GET', '/healthz', (_req, res) => sendJson(res, 200, '{"status":"ok"}'));
  router.on('GET', '/readyz', (_req, res) => {
    if (svc.draining) return sendJson(res, 503, '{"status":"draining"}');
    svc.store.ping().then(
      // A Redis outage is reported but does not fail readiness: the instance serves with local state meanwhile.
      () => sendJson(res, 200, JSON.stringify({ status: 'ready', store: svc.store.kind, record_queue: svc.recorder.depth, ...svc.cluster.status() })),
      (err: unknown) => sendJson(res, 503, JSON.stringify({ status: 'unavailable', store: svc.store.kind, error: (err as Error).message, record_queue: svc.recorder.depth, ...svc.cluster.status() })),
    );
  });

  const notHere = recorded(svc, 'openai', 'unknown', notFound);
  const server = createListener(svc, (req, res) => {
    // Draining: answer with `Connection: close`, or clients reusing their keep-alive connection would hold the
    // shutdown open as long as they keep sending.
    if (svc.draining) res.shouldKeepAlive = false;
    if (!servesPath(svc.config, role, req.url)) return notHere(req, res);
    router.lookup(req, res);
  });
  return server;
}

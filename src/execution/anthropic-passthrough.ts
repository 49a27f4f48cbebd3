import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { TimeoutsConfig } from '../config/index.js';
import type { CircuitBreakers } from './breakers/index.js';
import { upstreamBody, type AnthropicRequestView } from '../formats/anthropic/request.js';
import { anthropicErrorType, readAnthropicError } from '../formats/anthropic/errors.js';
import { applyUsage } from '../formats/anthropic/codec/index.js';
import { encodeEvent, SseSplitter, type SseEvent } from '../formats/sse/index.js';
import { parseValue, scanTopLevel, spliceMembers } from '../formats/json-scan/index.js';
import type { RequestContext } from '../ingress/context.js';
import { sendError, sendJson } from '../ingress/respond.js';
import type { Candidate } from '../routing/resolve.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { RemoteFetchOptions } from '../providers/remote-fetch/index.js';
import { authHeaders, sendUpstream, upstreamPath, type UpstreamAgents } from '../providers/upstream.js';
import { emptyUsage, type TokenUsage } from '../telemetry/record.js';
import { classifyTransportError, isFailoverStatus, upstreamAuthMessage } from './attempt.js';
import { openGate, settleGate, skippedAttempt } from './gate.js';
import { circuitsOpenMessage, requestScope } from './scope.js';
import { AttemptGuard, resolveTimeouts } from './guard.js';
import { DEFAULT_UPSTREAM_EVENT_LIMIT, MAX_ERROR_BODY, MAX_JSON_BODY, readLimited, round, upstreamPayload, UpstreamInvalidResponseError, UpstreamTooLargeError, withoutKey, writeBatch } from './io.js';
import { refusalHeaders, responseMetadata, switchyardHeaders } from './metadata.js';
import { retryAfterMs, shouldWait, sleep } from './retry-after.js';

export interface ExecutionServices {
  agents: UpstreamAgents;
  providers: ProviderRegistry;
  log: Logger;
  maxAttempts: number;
  /** Overall deadline per request in ms. */
  totalTimeoutMs: number;
  /** Global timeouts (`failover.timeouts`); a provider's own `timeouts` win, the request's `fallback.ttft_timeout` wins over both. */
  timeouts: TimeoutsConfig;
  /** Circuit breakers per (provider, model, key): an open one is skipped without sending anything. */
  breakers: CircuitBreakers;
  /** How remote images are fetched for an upstream that needs them inline (Gemini); null when remote fetching is off. */
  remoteFetch?: RemoteFetchOptions | null;
  /** Largest upstream stream event and JSON body held in memory (`server.upstream_event_limit` / `upstream_body_limit`). */
  upstreamLimits?: { eventBytes: number; bodyBytes: number };
}

/** Headers the caller sent that an Anthropic upstream must see unchanged. */
function forwardedHeaders(ctx: RequestContext, stream: boolean): Record<string, string> {
  const h = ctx.req.headers;
  const out: Record<string, string> = {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    'anthropic-version': typeof h['anthropic-version'] === 'string' ? h['anthropic-version'] : '2023-06-01',
  };
  const beta = h['anthropic-beta'];
  if (beta) out['anthropic-beta'] = Array.isArray(beta) ? beta.join(',') : beta;
  return out;
}

/**
 * Anthropic usage JSON (a Message, message_start or the cumulative message_delta) applied over `into`, read by the
 * codec's own decoder so passthrough and translated answers count the same (1-hour cache writes included).
 */
export function readAnthropicUsage(u: Record<string, unknown> | undefined, into: TokenUsage = emptyUsage()): TokenUsage {
  if (!u) return into;
  const next = applyUsage(into, u);
  if (next.cacheWrite1h === undefined) delete into.cacheWrite1h;
  return Object.assign(into, next);
}

type Attempt = { provider: string; model: string; status: number | null; success: boolean; errorClass: string | null; error: string | null; ttftMs: number | null; durationMs: number };

/**
 * Sends the caller's Anthropic request to Anthropic-format upstreams, trying candidates in order while the failure is
 * one another provider could fix. The body goes out as the caller's bytes with only `model` and Switchyard's own
 * fields changed; the answer comes back byte for byte but for `model` and the added `metadata`. A stream is committed
 * to the client only at its first content event, so everything before that can fail over unseen.
 */
export async function passthroughMessages(
  svc: ExecutionServices,
  ctx: RequestContext,
  view: AnthropicRequestView,
  candidates: Candidate[],
  query: string,
  op: 'messages' | 'count_tokens' = 'messages',
): Promise<void> {
  const { signal: requestSignal, deadline, chain } = requestScope(ctx, candidates, svc);
  let waited = false;

  for (let i = 0; i < chain.length; i++) {
    const { provider, model } = chain[i];
    const last = i === chain.length - 1;
    const gate = openGate(svc.breakers, svc.providers, provider, model);
    if (!gate.allowed) {
      // The circuit is open: no request is sent; the next candidate, if any, answers.
      ctx.attempts.push(skippedAttempt(provider.name, model, gate.retryInMs));
      if (!last) continue;
      sendError(ctx, 503, circuitsOpenMessage(gate.retryInMs), { type: 'overloaded_error', errorClass: 'circuit_open', headers: { ...switchyardHeaders(ctx), 'retry-after': String(Math.ceil(gate.retryInMs / 1000)) } });
      return;
    }
    const attemptsBefore = ctx.attempts.length;
    try {
      const attemptStart = performance.now();
      const stream = view.stream && op === 'messages';
      const guard = new AttemptGuard([requestSignal], resolveTimeouts(svc.timeouts, provider.timeouts, ctx.limits), stream);
      const headers = authHeaders(provider, gate.key, { ...provider.headers, ...forwardedHeaders(ctx, view.stream) });
      const body = upstreamBody(view, model);
      headers['content-length'] = String(body.length);
      if (ctx.overheadMs === null) ctx.overheadMs = ctx.elapsed();
      const fail = (status: number | null, errorClass: string, error: string): Attempt => {
        const a: Attempt = { provider: provider.name, model, status, success: false, errorClass, error, ttftMs: null, durationMs: round(performance.now() - attemptStart) };
        ctx.attempts.push(a);
        return a;
      };

      let resp: Dispatcher.ResponseData;
      try {
        resp = await sendUpstream(svc.agents.for(provider), provider, upstreamPath(provider, op, model, query), { method: 'POST', headers, body: upstreamPayload(body), signal: guard.signal });
      } catch (err) {
        guard.dispose();
        const failure = classifyTransportError(err, provider.name);
        const timedOut = guard.describe(provider.name);
        fail(null, guard.reason ?? failure.errorClass, timedOut ?? failure.message);
        if (failure.errorClass === 'client_closed' && !guard.reason) {
          ctx.fail(499, 'client_closed', failure.message);
          return;
        }
        if (!last) continue;
        const timeout = guard.reason !== null || failure.errorClass === 'timeout' || failure.errorClass === 'connect_timeout';
        sendError(ctx, timeout ? 504 : 502, timedOut ?? failure.message, { errorClass: guard.reason ?? failure.errorClass, headers: switchyardHeaders(ctx) });
        return;
      }

      const status = resp.statusCode;
      if (status >= 400) {
        guard.dispose();
        let text = '';
        try {
          text = withoutKey((await readLimited(resp.body, MAX_ERROR_BODY)).toString('utf8'), gate.key);
        } catch {
          // an unreadable error body still has its status
        }
        const upstreamError = readAnthropicError(text);
        const message = upstreamError?.message ?? `provider ${provider.name} answered ${status}`;
        const type = upstreamError?.type ?? anthropicErrorType(status);
        fail(status, type, message);
        if (isFailoverStatus(status)) {
          const wait = retryAfterMs(resp.headers['retry-after']);
          if (shouldWait(wait, !last, deadline - performance.now(), waited)) {
            waited = true;
            await sleep(wait!, requestSignal);
            if (!requestSignal.aborted) i--;
            continue;
          }
          if (!last) continue;
        }
        const extra = refusalHeaders(ctx, resp.headers);
        if (status === 401 || status === 403) {
          // A provider refusing our credentials is the operator's problem, not the caller's key.
          sendError(ctx, 502, upstreamAuthMessage(provider.name, status, message), { type: 'api_error', errorClass: 'upstream_auth', headers: extra });
        } else {
          sendError(ctx, status, message, { type, errorClass: type, headers: extra });
        }
        return;
      }

      ctx.model = `${provider.name}/${model}`;
      ctx.provider = provider.name;
      const attempt: Attempt = { provider: provider.name, model, status, success: true, errorClass: null, error: null, ttftMs: null, durationMs: 0 };
      ctx.attempts.push(attempt);
      let outcome: 'done' | 'retry' = 'done';
      try {
        if (op === 'count_tokens') await relayCount(ctx, resp);
        else if (view.stream) outcome = await relayStream(ctx, resp, attemptStart, attempt, guard, last, svc.upstreamLimits?.eventBytes ?? DEFAULT_UPSTREAM_EVENT_LIMIT);
        else await relayJson(ctx, resp, attemptStart, attempt, svc.upstreamLimits?.bodyBytes ?? MAX_JSON_BODY);
      } catch (err) {
        const failure = classifyTransportError(err, provider.name);
        attempt.success = false;
        attempt.errorClass = guard.reason ?? failure.errorClass;
        attempt.error = guard.describe(provider.name) ?? failure.message;
        if (failure.errorClass === 'client_closed' && !guard.reason) ctx.fail(499, 'client_closed', failure.message);
        else if (!ctx.res.headersSent) {
          if (!last) outcome = 'retry';
          else sendError(ctx, 502, attempt.error, { errorClass: attempt.errorClass, headers: switchyardHeaders(ctx) });
        } else if (!ctx.res.writableEnded) ctx.res.destroy();
      } finally {
        guard.dispose();
        attempt.durationMs = round(performance.now() - attemptStart);
      }
      if (outcome === 'retry') {
        ctx.model = null;
        ctx.provider = null;
        ctx.ttftMs = null;
        ctx.usage = null;
        continue;
      }
      return;
    } finally {
      settleGate(svc.breakers, gate, ctx.attempts.length > attemptsBefore ? ctx.attempts[ctx.attempts.length - 1] : undefined, ctx.start);
    }
  }
}

async function relayCount(ctx: RequestContext, resp: Dispatcher.ResponseData): Promise<void> {
  const buf = await readLimited(resp.body, MAX_ERROR_BODY);
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch {
    parsed = null;
  }
  // Like a message answer: what is not a JSON object is a failed attempt, not something to relay.
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UpstreamInvalidResponseError(`provider ${ctx.provider} answered count_tokens with a body that is not a JSON object`);
  ctx.status = resp.statusCode;
  const n = (parsed as { input_tokens?: unknown }).input_tokens;
  if (typeof n === 'number') ctx.usage = { ...emptyUsage(), input: n };
  sendJson(ctx.res, resp.statusCode, buf, switchyardHeaders(ctx));
}

async function relayJson(ctx: RequestContext, resp: Dispatcher.ResponseData, attemptStart: number, attempt: Attempt, bodyLimit: number): Promise<void> {
  const buf = await readLimited(resp.body, bodyLimit);
  attempt.ttftMs = round(performance.now() - attemptStart);
  ctx.ttftMs = attempt.ttftMs;
  attempt.durationMs = attempt.ttftMs;
  ctx.status = resp.statusCode;
  let out: { chunks: Buffer[]; length: number } = { chunks: [buf], length: buf.length };
  try {
    const scan = scanTopLevel(buf);
    const usage = scan.get('usage');
    if (usage) ctx.usage = readAnthropicUsage(parseValue(buf, usage) as Record<string, unknown>);
    const stop = scan.get('stop_reason');
    if (stop) ctx.stopReason = parseValue(buf, stop) as string | null;
    const modelSpan = scan.get('model');
    out = spliceMembers(buf, scan, modelSpan ? [{ span: modelSpan, replaceValue: JSON.stringify(ctx.model) }] : [], [['metadata', JSON.stringify(responseMetadata(ctx))]]);
  } catch {
    // Nothing was written yet: the caller's catch fails over or answers a well-formed 502 instead of relaying junk.
    throw new UpstreamInvalidResponseError(`provider ${ctx.provider} answered with a body that is not a JSON object`);
  }
  const res = ctx.res;
  res.writeHead(resp.statusCode, { 'content-type': 'application/json', 'content-length': out.length, ...switchyardHeaders(ctx) });
  for (let i = 0; i < out.chunks.length - 1; i++) res.write(out.chunks[i]);
  res.end(out.chunks[out.chunks.length - 1]);
}

/** The first token: a delta. A block start alone carries no generated content yet. */
const CONTENT_EVENTS = new Set(['content_block_delta']);

function streamErrorFrame(message: string): string {
  return encodeEvent('error', JSON.stringify({ type: 'error', error: { type: 'api_error', message } }));
}

/**
 * Relays one upstream stream. Returns 'retry' when the upstream failed before its first content event: nothing has
 * reached the client, so the next candidate may answer. After commit a failure ends the stream with an error event.
 */
async function relayStream(ctx: RequestContext, resp: Dispatcher.ResponseData, attemptStart: number, attempt: Attempt, guard: AttemptGuard, last: boolean, maxEventBytes: number): Promise<'done' | 'retry'> {
  const res = ctx.res;
  const splitter = new SseSplitter({ maxEventBytes });
  let pendingBytes = 0;
  const usage = emptyUsage();
  /** The last message_delta, held until message_stop shows it is the last, with its data as parsed for the usage. */
  let heldDelta: { event: SseEvent; data: Record<string, unknown> } | null = null;
  let sawStop = false;
  let sawDelta = false;
  let committed = false;
  let pending: Array<Buffer | string> = [];
  let upstreamError: { type: string; message: string } | null = null;

  const commit = () => {
    committed = true;
    guard.firstContent();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...switchyardHeaders(ctx) });
    ctx.status = 200;
  };

  const withMetadata = ({ event: ev, data }: { event: SseEvent; data: Record<string, unknown> }): string => {
    attempt.durationMs = round(performance.now() - attemptStart);
    data.metadata = responseMetadata(ctx);
    return encodeEvent(ev.event, JSON.stringify(data));
  };

  const handle = (ev: SseEvent, out: Array<Buffer | string>): void => {
    const type = ev.event;
    if (heldDelta && type !== 'message_stop') {
      out.push(heldDelta.event.raw);
      heldDelta = null;
    }
    if (type !== undefined && CONTENT_EVENTS.has(type)) {
      // The first delta decides the commit: it must be readable, or the next provider answers instead.
      if (!committed) JSON.parse(ev.data);
      if (ctx.ttftMs === null) {
        attempt.ttftMs = round(performance.now() - attemptStart);
        ctx.ttftMs = attempt.ttftMs;
      }
      if (!committed) commit();
      out.push(ev.raw);
      return;
    }
    switch (type) {
      case 'message_start': {
        const data = JSON.parse(ev.data) as { message?: Record<string, unknown> };
        if (data.message) {
          readAnthropicUsage(data.message.usage as Record<string, unknown> | undefined, usage);
          data.message.model = ctx.model;
        }
        out.push(encodeEvent(ev.event, JSON.stringify(data)));
        return;
      }
      case 'message_delta': {
        const data = JSON.parse(ev.data) as { delta?: { stop_reason?: string | null }; usage?: Record<string, unknown> };
        readAnthropicUsage(data.usage, usage);
        if (data.delta?.stop_reason) ctx.stopReason = data.delta.stop_reason;
        sawDelta = true;
        heldDelta = { event: ev, data };
        return;
      }
      case 'message_stop':
        sawStop = true;
        if (heldDelta) {
          out.push(withMetadata(heldDelta));
          heldDelta = null;
        }
        out.push(ev.raw);
        return;
      case 'error': {
        try {
          const data = JSON.parse(ev.data) as { error?: { type?: string; message?: string } };
          upstreamError = { type: data.error?.type ?? 'api_error', message: data.error?.message ?? 'provider sent an error event' };
        } catch {
          upstreamError = { type: 'api_error', message: 'provider sent an unreadable error event' };
        }
        out.push(ev.raw);
        return;
      }
      default:
        // Before commit every event is checked, so a malformed one fails over instead of reaching the client.
        if (!committed && ev.hasData) JSON.parse(ev.data);
        out.push(ev.raw);
    }
  };

  /** Before commit output is held back; a failure then discards it and the next candidate answers. */
  const emit = async (out: Array<Buffer | string>) => {
    if (!committed) {
      // Pings before the first content are held; an upstream that never gets to content must not fill memory.
      for (const piece of out) pendingBytes += piece.length;
      if (pendingBytes > maxEventBytes) throw new UpstreamTooLargeError('the stream before its first content', maxEventBytes);
      pending.push(...out);
      return;
    }
    if (pending.length) {
      out = [...pending, ...out];
      pending = [];
    }
    await writeBatch(res, out);
  };

  const retryable = (errorClass: string, message: string): 'retry' | null => {
    if (committed) return null;
    attempt.success = false;
    attempt.errorClass = errorClass;
    attempt.error = message;
    if (last) {
      ctx.fail(502, errorClass, message);
      sendError(ctx, 502, message, { errorClass, headers: switchyardHeaders(ctx) });
      return null;
    }
    return 'retry';
  };

  try {
    for await (const chunk of resp.body) {
      guard.activity();
      const out: Array<Buffer | string> = [];
      for (const ev of splitter.push(chunk as Buffer)) {
        try {
          handle(ev, out);
        } catch {
          // A malformed event (invalid JSON in message_start or message_delta).
          upstreamError = { type: 'api_error', message: `provider ${ctx.provider} sent a malformed event` };
        }
        if (upstreamError && !committed) {
          resp.body.destroy();
          return retryable('upstream_' + upstreamError.type, upstreamError.message) ?? 'done';
        }
      }
      await emit(out);
      if (res.destroyed) {
        resp.body.destroy();
        ctx.fail(499, 'client_closed', 'the client closed the connection during the stream');
        attempt.errorClass = 'client_closed';
        return 'done';
      }
    }
  } catch (err) {
    const failure = classifyTransportError(err, ctx.provider ?? 'upstream');
    const message = guard.describe(ctx.provider ?? 'upstream') ?? failure.message;
    const errorClass = guard.reason ?? (failure.errorClass === 'upstream_too_large' ? failure.errorClass : 'stream_cut');
    if (failure.errorClass === 'client_closed' && !guard.reason) throw err;
    const r = retryable(errorClass, message);
    if (r) return r;
    if (committed) {
      attempt.success = false;
      attempt.errorClass = 'stream_cut';
      attempt.error = message;
      ctx.errorClass = 'stream_cut';
      ctx.error = message;
      ctx.usage = usage;
      if (!res.destroyed) res.end(streamErrorFrame(`The provider stream failed: ${message}`));
    }
    return 'done';
  }
  const out: Array<Buffer | string> = [];
  for (const ev of splitter.flush()) handle(ev, out);
  if (heldDelta) {
    // Ended after message_delta without message_stop: clients accept this as complete.
    out.push(withMetadata(heldDelta));
    heldDelta = null;
  }
  ctx.usage = usage;
  if (!committed) {
    if (upstreamError || (!sawStop && !sawDelta)) {
      const r = retryable(upstreamError ? 'upstream_' + (upstreamError as { type: string }).type : 'stream_cut', upstreamError ? (upstreamError as { message: string }).message : 'the provider ended the stream before any content');
      return r ?? 'done';
    }
    // A complete answer without content blocks (e.g. max_tokens 0): still an answer.
    commit();
  }
  if (upstreamError) {
    attempt.success = false;
    attempt.errorClass = 'stream_cut';
    attempt.error = (upstreamError as { message: string }).message;
    ctx.errorClass = 'stream_cut';
    ctx.error = attempt.error;
  } else if (!sawStop && !sawDelta) {
    attempt.success = false;
    attempt.errorClass = 'stream_cut';
    attempt.error = 'the provider ended the stream before the message was complete';
    ctx.errorClass = 'stream_cut';
    ctx.error = attempt.error;
    out.push(streamErrorFrame('The provider ended the stream before the message was complete.'));
  }
  await emit(out);
  res.end();
  return 'done';
}

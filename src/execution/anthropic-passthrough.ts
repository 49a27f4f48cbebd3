import { request } from 'undici';
import type { Agent, Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { upstreamBody, type AnthropicRequestView } from '../formats/anthropic/request.js';
import { anthropicErrorType, readAnthropicError } from '../formats/anthropic/errors.js';
import { encodeEvent, SseSplitter, type SseEvent } from '../formats/sse/index.js';
import { parseValue, scanTopLevel, spliceMembers } from '../formats/json-scan/index.js';
import type { RequestContext } from '../ingress/context.js';
import { sendError, sendJson } from '../ingress/respond.js';
import type { Candidate } from '../routing/resolve.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { authHeaders, upstreamUrl } from '../providers/upstream.js';
import { emptyUsage, type TokenUsage } from '../telemetry/record.js';
import { classifyTransportError, isFailoverStatus } from './attempt.js';
import { MAX_ERROR_BODY, MAX_JSON_BODY, readLimited, round, writeBatch } from './io.js';
import { responseMetadata, switchyardHeaders } from './metadata.js';

export interface ExecutionServices {
  agent: Agent;
  providers: ProviderRegistry;
  log: Logger;
  maxAttempts: number;
  /** Overall deadline per request in ms. */
  totalTimeoutMs: number;
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

/** Anthropic usage JSON → record usage. `input_tokens` there is uncached input only. */
export function readAnthropicUsage(u: Record<string, unknown> | undefined, into: TokenUsage = emptyUsage()): TokenUsage {
  if (!u) return into;
  if (typeof u.input_tokens === 'number') into.input = u.input_tokens;
  if (typeof u.output_tokens === 'number') into.output = u.output_tokens;
  if (typeof u.cache_read_input_tokens === 'number') into.cacheRead = u.cache_read_input_tokens;
  if (typeof u.cache_creation_input_tokens === 'number') into.cacheWrite = u.cache_creation_input_tokens;
  const details = u.output_tokens_details as { thinking_tokens?: unknown } | undefined;
  if (details && typeof details.thinking_tokens === 'number') into.reasoning = details.thinking_tokens;
  return into;
}

/**
 * Sends the caller's Anthropic request to Anthropic-format upstreams, trying candidates in order while the failure is
 * one another provider could fix. The body goes out as the caller's bytes with only `model` and Switchyard's own
 * fields changed; the answer comes back byte for byte but for `model` and the added `metadata`.
 */
export async function passthroughMessages(
  svc: ExecutionServices,
  ctx: RequestContext,
  view: AnthropicRequestView,
  candidates: Candidate[],
  query: string,
  op: 'messages' | 'count_tokens' = 'messages',
): Promise<void> {
  const clientGone = new AbortController();
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) clientGone.abort();
  });
  const signal = AbortSignal.any([clientGone.signal, AbortSignal.timeout(svc.totalTimeoutMs)]);
  const chain = candidates.slice(0, svc.maxAttempts);

  for (let i = 0; i < chain.length; i++) {
    const { provider, model } = chain[i];
    const last = i === chain.length - 1;
    const attemptStart = performance.now();
    const headers = authHeaders(provider, svc.providers.nextKey(provider), { ...provider.headers, ...forwardedHeaders(ctx, view.stream) });
    const body = upstreamBody(view, model);
    headers['content-length'] = String(body.length);
    if (ctx.overheadMs === null) ctx.overheadMs = ctx.elapsed();

    let resp: Dispatcher.ResponseData;
    try {
      resp = await request(upstreamUrl(provider, op, model, query), {
        method: 'POST',
        headers,
        body: (body.chunks.length === 1 ? body.chunks[0] : body.chunks) as Buffer,
        dispatcher: svc.agent,
        signal,
      });
    } catch (err) {
      const failure = classifyTransportError(err, provider.name);
      ctx.attempts.push({ provider: provider.name, model, status: null, success: false, errorClass: failure.errorClass, error: failure.message, ttftMs: null, durationMs: round(performance.now() - attemptStart) });
      if (failure.errorClass === 'client_closed') {
        ctx.fail(499, 'client_closed', failure.message);
        return;
      }
      if (!last) continue;
      const status = failure.errorClass === 'timeout' || failure.errorClass === 'connect_timeout' ? 504 : 502;
      sendError(ctx, status, failure.message, { errorClass: failure.errorClass, headers: switchyardHeaders(ctx) });
      return;
    }

    const status = resp.statusCode;
    if (status >= 400) {
      let text = '';
      try {
        text = (await readLimited(resp.body, MAX_ERROR_BODY)).toString('utf8');
      } catch {
        // an unreadable error body still has its status
      }
      const upstreamError = readAnthropicError(text);
      const message = upstreamError?.message ?? `provider ${provider.name} answered ${status}`;
      const type = upstreamError?.type ?? anthropicErrorType(status);
      ctx.attempts.push({ provider: provider.name, model, status, success: false, errorClass: type, error: message, ttftMs: null, durationMs: round(performance.now() - attemptStart) });
      if (isFailoverStatus(status) && !last) continue;
      const extra: Record<string, string> = switchyardHeaders(ctx);
      const retryAfter = resp.headers['retry-after'];
      if (typeof retryAfter === 'string') extra['retry-after'] = retryAfter;
      if (status === 401 || status === 403) {
        // A provider refusing our credentials is the operator's problem, not the caller's key.
        sendError(ctx, 502, `provider ${provider.name} rejected Switchyard's credentials (${status}): ${message}`, { type: 'api_error', errorClass: 'upstream_auth', headers: extra });
      } else {
        sendError(ctx, status, message, { type, errorClass: type, headers: extra });
      }
      return;
    }

    ctx.model = `${provider.name}/${model}`;
    ctx.provider = provider.name;
    const attempt = { provider: provider.name, model, status, success: true, errorClass: null as string | null, error: null as string | null, ttftMs: null as number | null, durationMs: 0 };
    ctx.attempts.push(attempt);
    try {
      if (op === 'count_tokens') await relayCount(ctx, resp);
      else if (view.stream) await relayStream(ctx, resp, attemptStart, attempt);
      else await relayJson(ctx, resp, attemptStart, attempt);
    } catch (err) {
      const failure = classifyTransportError(err, provider.name);
      attempt.success = false;
      attempt.errorClass = failure.errorClass;
      attempt.error = failure.message;
      ctx.fail(failure.errorClass === 'client_closed' ? 499 : 502, failure.errorClass === 'client_closed' ? 'client_closed' : 'stream_cut', failure.message);
      if (!ctx.res.headersSent) sendError(ctx, 502, failure.message, { errorClass: 'upstream_reset', headers: switchyardHeaders(ctx) });
      else if (!ctx.res.writableEnded) {
        if (view.stream && !ctx.res.destroyed) ctx.res.end(encodeEvent('error', JSON.stringify({ type: 'error', error: { type: 'api_error', message: failure.message } })));
        else ctx.res.destroy();
      }
    } finally {
      attempt.durationMs = round(performance.now() - attemptStart);
    }
    return;
  }
}

async function relayCount(ctx: RequestContext, resp: Dispatcher.ResponseData): Promise<void> {
  const buf = await readLimited(resp.body, MAX_ERROR_BODY);
  ctx.status = resp.statusCode;
  try {
    const n = (JSON.parse(buf.toString('utf8')) as { input_tokens?: unknown }).input_tokens;
    if (typeof n === 'number') ctx.usage = { ...emptyUsage(), input: n };
  } catch {
    ctx.errorClass = 'upstream_invalid_json';
  }
  sendJson(ctx.res, resp.statusCode, buf, switchyardHeaders(ctx));
}

async function relayJson(
  ctx: RequestContext,
  resp: Dispatcher.ResponseData,
  attemptStart: number,
  attempt: { ttftMs: number | null; durationMs: number },
): Promise<void> {
  const buf = await readLimited(resp.body, MAX_JSON_BODY);
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
    out = spliceMembers(buf, scan, modelSpan ? [{ span: modelSpan, replaceValue: JSON.stringify(ctx.model) }] : [], [
      ['metadata', JSON.stringify(responseMetadata(ctx))],
    ]);
  } catch {
    ctx.errorClass = 'upstream_invalid_json';
    ctx.error = 'provider returned a body that is not a JSON object';
  }
  const res = ctx.res;
  res.writeHead(resp.statusCode, { 'content-type': 'application/json', 'content-length': out.length, ...switchyardHeaders(ctx) });
  for (let i = 0; i < out.chunks.length - 1; i++) res.write(out.chunks[i]);
  res.end(out.chunks[out.chunks.length - 1]);
}

const CONTENT_EVENTS = new Set(['content_block_start', 'content_block_delta']);

async function relayStream(
  ctx: RequestContext,
  resp: Dispatcher.ResponseData,
  attemptStart: number,
  attempt: { ttftMs: number | null; durationMs: number },
): Promise<void> {
  const res = ctx.res;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...switchyardHeaders(ctx),
  });
  ctx.status = 200;
  const splitter = new SseSplitter();
  const usage = emptyUsage();
  let heldDelta: SseEvent | null = null;
  let sawStop = false;
  let sawDelta = false;

  const withMetadata = (ev: SseEvent): string => {
    const data = JSON.parse(ev.data) as Record<string, unknown>;
    attempt.durationMs = round(performance.now() - attemptStart);
    data.metadata = responseMetadata(ctx);
    return encodeEvent(ev.event, JSON.stringify(data));
  };

  const handle = (ev: SseEvent, out: Array<Buffer | string>): void => {
    const type = ev.event;
    if (heldDelta && type !== 'message_stop') {
      out.push(heldDelta.raw);
      heldDelta = null;
    }
    if (type !== undefined && CONTENT_EVENTS.has(type)) {
      if (ctx.ttftMs === null) {
        attempt.ttftMs = round(performance.now() - attemptStart);
        ctx.ttftMs = attempt.ttftMs;
      }
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
        heldDelta = ev;
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
          ctx.errorClass = data.error?.type ?? 'stream_error';
          ctx.error = data.error?.message ?? 'provider sent an error event';
        } catch {
          ctx.errorClass = 'stream_error';
        }
        out.push(ev.raw);
        return;
      }
      default:
        out.push(ev.raw);
    }
  };

  const write = (out: Array<Buffer | string>) => writeBatch(res, out);

  try {
    for await (const chunk of resp.body) {
      const out: Array<Buffer | string> = [];
      for (const ev of splitter.push(chunk as Buffer)) handle(ev, out);
      await write(out);
      if (res.destroyed) {
        resp.body.destroy();
        ctx.fail(499, 'client_closed', 'the client closed the connection during the stream');
        return;
      }
    }
    const out: Array<Buffer | string> = [];
    for (const ev of splitter.flush()) handle(ev, out);
    if (heldDelta) {
      // Ended after message_delta without message_stop: clients accept this as complete.
      out.push(withMetadata(heldDelta));
      heldDelta = null;
    }
    await write(out);
  } finally {
    ctx.usage = usage;
  }
  if (!sawStop && !sawDelta && ctx.errorClass === null) {
    ctx.fail(200, 'stream_cut', 'the provider ended the stream before the message was complete');
    res.end(encodeEvent('error', JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'The provider ended the stream before the message was complete.' } })));
    return;
  }
  res.end();
}


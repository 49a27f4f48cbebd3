import type { Dispatcher } from 'undici';
import { checkRequestBody, EXTENSION_FIELDS, MAX_MODEL_LENGTH, RequestValidationError } from '../formats/anthropic/request.js';
import { JsonScanError, parseValue, RAW_STRING_FINDERS, scanTopLevel, spliceMembers, valueKind, type Edit, type ScannedObject } from '../formats/json-scan/index.js';
import { decodeUsage } from '../formats/openai/index.js';
import { SseSplitter, type SseEvent } from '../formats/sse/index.js';
import type { RequestContext } from '../ingress/context.js';
import { openaiErrorBody, sendError, sendJson } from '../ingress/respond.js';
import type { Candidate } from '../routing/resolve.js';
import { authHeaders, sendUpstream, upstreamPath } from '../providers/upstream.js';
import type { TokenUsage } from '../telemetry/record.js';
import type { ExecutionServices } from './anthropic-passthrough.js';
import { classifyTransportError, isFailoverStatus, upstreamAuthMessage } from './attempt.js';
import { openGate, settleGate, skippedAttempt } from './gate.js';
import { circuitsOpenMessage, requestScope } from './scope.js';
import { DEFAULT_UPSTREAM_EVENT_LIMIT, MAX_ERROR_BODY, MAX_JSON_BODY, readLimited, round, upstreamPayload, UpstreamInvalidResponseError, UpstreamTooLargeError, withoutKey, writeBatch } from './io.js';
import { AttemptGuard, resolveTimeouts } from './guard.js';
import { retryAfterMs, shouldWait, sleep } from './retry-after.js';
import { refusalHeaders, responseMetadata, switchyardHeaders } from './metadata.js';

/** An OpenAI Chat Completions request read without parsing its messages. */
export interface OpenAIRequestView {
  buf: Buffer;
  scan: ScannedObject;
  model: string;
  stream: boolean;
  /** The client asked for the final usage chunk. */
  clientWantsUsage: boolean;
  extensions: Record<string, unknown>;
  baseEdits: Edit[];
  append: Array<[string, string]>;
}

const KINDS: Record<string, ReturnType<typeof valueKind>[]> = {
  model: ['string'],
  messages: ['array'],
  stream: ['boolean'],
  stream_options: ['object', 'null'],
  tools: ['array'],
  max_tokens: ['number', 'null'],
  max_completion_tokens: ['number', 'null'],
};

/** Checks the top level of an OpenAI request and prepares the byte edits for an OpenAI-format upstream. */
export function readOpenAIRequest(buf: Buffer): OpenAIRequestView {
  let scan: ScannedObject;
  try {
    // Raw-string candidates are collected on the way, for when the request is translated (byte-strings.ts).
    scan = scanTopLevel(buf, { longStrings: RAW_STRING_FINDERS.openai });
  } catch (e) {
    if (e instanceof JsonScanError) throw new RequestValidationError(`We could not parse the JSON body of your request: ${e.message}`);
    throw e;
  }
  checkRequestBody(buf, scan);
  for (const m of scan.members) {
    // Own keys only: a member named "valueOf" or "__proto__" must not find Object.prototype's.
    const allowed = Object.hasOwn(KINDS, m.key) ? KINDS[m.key] : undefined;
    if (allowed && !allowed.includes(valueKind(buf, m))) throw new RequestValidationError(`Invalid type for '${m.key}': expected ${allowed.join(' or ')}.`);
  }
  const modelSpan = scan.get('model');
  if (!modelSpan) throw new RequestValidationError("Missing required parameter: 'model'.");
  if (!scan.get('messages')) throw new RequestValidationError("Missing required parameter: 'messages'.");
  const model = parseValue(buf, modelSpan) as string;
  if (!model) throw new RequestValidationError("Invalid 'model': must not be empty.");
  if (model.length > MAX_MODEL_LENGTH) throw new RequestValidationError(`Invalid 'model': longer than ${MAX_MODEL_LENGTH} characters.`);
  const streamSpan = scan.get('stream');
  const stream = streamSpan ? parseValue(buf, streamSpan) === true : false;
  const extensions: Record<string, unknown> = {};
  const baseEdits: Edit[] = [];
  for (const m of scan.members) {
    if ((EXTENSION_FIELDS as readonly string[]).includes(m.key) || m.key === 'metadata') {
      baseEdits.push({ span: m, remove: true });
      if (m.key !== 'extra_body') extensions[m.key] = parseValue(buf, m);
    }
  }
  const extra = scan.get('extra_body');
  if (extra) Object.assign(extensions, parseValue(buf, extra) as Record<string, unknown>);
  const append: Array<[string, string]> = [];
  let clientWantsUsage = false;
  if (stream) {
    // Always ask the upstream for usage (records and cost need it); strip the usage chunk later if the client did not ask.
    const so = scan.get('stream_options');
    const current = so ? ((parseValue(buf, so) as Record<string, unknown> | null) ?? {}) : null;
    clientWantsUsage = current?.include_usage === true;
    if (!clientWantsUsage) {
      const next = JSON.stringify({ ...(current ?? {}), include_usage: true });
      if (so) baseEdits.push({ span: so, replaceValue: next });
      else append.push(['stream_options', next]);
    }
  }
  return { buf, scan, model, stream, clientWantsUsage, extensions, baseEdits, append };
}

function upstreamBody(view: OpenAIRequestView, model: string): { chunks: Buffer[]; length: number } {
  const edits = view.baseEdits.slice();
  if (model !== view.model) edits.push({ span: view.scan.get('model')!, replaceValue: JSON.stringify(model) });
  if (edits.length === 0 && view.append.length === 0) return { chunks: [view.buf], length: view.buf.length };
  return spliceMembers(view.buf, view.scan, edits, view.append);
}

/**
 * OpenAI-format usage → record usage, read by the codec's own decoder so passthrough and translated answers count the
 * same (vendor shapes: DeepSeek cache hits, xAI reasoning outside completion_tokens, relayed Anthropic cache fields).
 */
export function readOpenAIUsage(u: Record<string, unknown> | null | undefined): TokenUsage | null {
  if (!u || typeof u !== 'object') return null;
  return decodeUsage(u);
}

/**
 * OpenAI client to an OpenAI-format upstream: the caller's bytes with only `model`, Switchyard's fields and
 * `stream_options.include_usage` edited; the answer's bytes with only `model` replaced and `metadata` added.
 */
export async function passthroughChat(svc: ExecutionServices, ctx: RequestContext, view: OpenAIRequestView, candidates: Candidate[]): Promise<void> {
  let waited = false;
  const { signal, deadline, chain } = requestScope(ctx, candidates, svc);
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
      const headers = authHeaders(provider, gate.key, { ...provider.headers, 'content-type': 'application/json', accept: view.stream ? 'text/event-stream' : 'application/json' });
      const body = upstreamBody(view, model);
      headers['content-length'] = String(body.length);
      if (ctx.overheadMs === null) ctx.overheadMs = ctx.elapsed();
      const guard = new AttemptGuard([signal], resolveTimeouts(svc.timeouts, provider.timeouts, ctx.limits), view.stream);
      let resp: Dispatcher.ResponseData;
      try {
        resp = await sendUpstream(svc.agents.for(provider), provider, upstreamPath(provider, 'chat', model), { method: 'POST', headers, body: upstreamPayload(body), signal: guard.signal });
      } catch (err) {
        guard.dispose();
        const failure = classifyTransportError(err, provider.name);
        const errorClass = guard.reason ?? failure.errorClass;
        const message = guard.describe(provider.name) ?? failure.message;
        ctx.attempts.push({ provider: provider.name, model, status: null, success: false, errorClass, error: message, ttftMs: null, durationMs: round(performance.now() - attemptStart) });
        if (failure.errorClass === 'client_closed' && !guard.reason) return ctx.fail(499, 'client_closed', failure.message);
        if (!last) continue;
        const timeout = guard.reason !== null || failure.errorClass === 'timeout' || failure.errorClass === 'connect_timeout';
        sendError(ctx, timeout ? 504 : 502, message, { type: timeout ? 'timeout_error' : 'api_error', errorClass, headers: switchyardHeaders(ctx) });
        return;
      }
      const status = resp.statusCode;
      if (status >= 400) {
        guard.dispose();
        let text = '';
        try {
          text = withoutKey((await readLimited(resp.body, MAX_ERROR_BODY)).toString('utf8'), gate.key);
        } catch {
          // the status alone still says what happened
        }
        let message = `provider ${provider.name} answered ${status}`;
        try {
          const parsed = JSON.parse(text) as { error?: { message?: string } };
          if (typeof parsed.error?.message === 'string') message = parsed.error.message;
        } catch {
          // not JSON
        }
        ctx.attempts.push({ provider: provider.name, model, status, success: false, errorClass: `http_${status}`, error: message, ttftMs: null, durationMs: round(performance.now() - attemptStart) });
        if (isFailoverStatus(status)) {
          const wait = retryAfterMs(resp.headers['retry-after']);
          if (shouldWait(wait, !last, deadline - performance.now(), waited)) {
            waited = true;
            await sleep(wait!, signal);
            if (!signal.aborted) i--;
            continue;
          }
          if (!last) continue;
        }
        const extra = refusalHeaders(ctx, resp.headers);
        if (status === 401 || status === 403) {
          sendError(ctx, 502, upstreamAuthMessage(provider.name, status, message), { type: 'api_error', errorClass: 'upstream_auth', headers: extra });
          return;
        }
        // The upstream already speaks OpenAI: its error body goes back as it is.
        ctx.fail(status, `http_${status}`, message);
        if (text.startsWith('{')) sendJson(ctx.res, status, text, extra);
        else {
          const out = openaiErrorBody(status, status >= 500 ? 'api_error' : 'invalid_request_error', message);
          sendJson(ctx.res, out.status, out.body, extra);
        }
        return;
      }
      ctx.model = `${provider.name}/${model}`;
      ctx.provider = provider.name;
      const attempt = { provider: provider.name, model, status, success: true, errorClass: null as string | null, error: null as string | null, ttftMs: null as number | null, durationMs: 0 };
      ctx.attempts.push(attempt);
      let outcome: 'done' | 'retry' = 'done';
      try {
        if (view.stream) outcome = await relayChatStream(ctx, view, resp, model, attemptStart, attempt, guard, svc.upstreamLimits?.eventBytes ?? DEFAULT_UPSTREAM_EVENT_LIMIT);
        else await relayChatJson(ctx, resp, attemptStart, attempt, svc.upstreamLimits?.bodyBytes ?? MAX_JSON_BODY);
      } catch (err) {
        const failure = classifyTransportError(err, provider.name);
        const message = guard.describe(provider.name) ?? failure.message;
        attempt.success = false;
        attempt.error = message;
        if (failure.errorClass === 'client_closed' && !guard.reason) {
          attempt.errorClass = 'client_closed';
          ctx.fail(499, 'client_closed', message);
        } else if (!ctx.res.headersSent) {
          // Nothing reached the client yet: the next candidate may answer.
          attempt.errorClass = guard.reason ?? failure.errorClass;
          if (!last) outcome = 'retry';
          else sendError(ctx, 502, message, { errorClass: attempt.errorClass, headers: switchyardHeaders(ctx) });
        } else {
          attempt.errorClass = 'stream_cut';
          ctx.fail(200, 'stream_cut', message);
          if (!ctx.res.writableEnded && !ctx.res.destroyed) {
            ctx.res.end(`data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code: 'stream_cut' } })}\n\n`);
          }
        }
      } finally {
        guard.dispose();
        attempt.durationMs = round(performance.now() - attemptStart);
      }
      if (outcome === 'retry' && last) {
        // Failed before the first content with no candidate left: the client must still get an answer.
        const timedOut = attempt.errorClass === 'ttft_timeout' || attempt.errorClass === 'idle_timeout' || attempt.errorClass === 'attempt_timeout';
        sendError(ctx, timedOut ? 504 : 502, attempt.error ?? `provider ${provider.name} failed before answering`, { type: timedOut ? 'timeout_error' : 'api_error', errorClass: attempt.errorClass ?? 'upstream_error', headers: switchyardHeaders(ctx) });
        return;
      }
      if (outcome === 'retry') {
        ctx.model = null;
        ctx.provider = null;
        ctx.ttftMs = null;
        ctx.usage = null;
        ctx.errorClass = null;
        ctx.error = null;
        continue;
      }
      return;
    } finally {
      settleGate(svc.breakers, gate, ctx.attempts.length > attemptsBefore ? ctx.attempts[ctx.attempts.length - 1] : undefined, ctx.start);
    }
  }
}

async function relayChatJson(ctx: RequestContext, resp: Dispatcher.ResponseData, attemptStart: number, attempt: { ttftMs: number | null; durationMs: number }, bodyLimit: number): Promise<void> {
  const buf = await readLimited(resp.body, bodyLimit);
  attempt.ttftMs = round(performance.now() - attemptStart);
  attempt.durationMs = attempt.ttftMs;
  ctx.ttftMs = attempt.ttftMs;
  ctx.status = resp.statusCode;
  let out: { chunks: Buffer[]; length: number } = { chunks: [buf], length: buf.length };
  try {
    const scan = scanTopLevel(buf);
    const usage = scan.get('usage');
    if (usage) ctx.usage = readOpenAIUsage(parseValue(buf, usage) as Record<string, unknown>);
    const choices = scan.get('choices');
    if (choices) {
      const first = (parseValue(buf, choices) as Array<{ finish_reason?: string }>)[0];
      ctx.stopReason = first?.finish_reason ?? null;
    }
    const modelSpan = scan.get('model');
    out = spliceMembers(buf, scan, modelSpan ? [{ span: modelSpan, replaceValue: JSON.stringify(ctx.model) }] : [], [['metadata', JSON.stringify(responseMetadata(ctx))]]);
  } catch {
    // Nothing was written yet: the caller's catch fails over or answers a well-formed 502 instead of relaying junk.
    throw new UpstreamInvalidResponseError(`provider ${ctx.provider} answered with a body that is not a JSON object`);
  }
  ctx.res.writeHead(resp.statusCode, { 'content-type': 'application/json', 'content-length': out.length, ...switchyardHeaders(ctx) });
  for (let i = 0; i < out.chunks.length - 1; i++) ctx.res.write(out.chunks[i]);
  ctx.res.end(out.chunks[out.chunks.length - 1]);
}

/** Replaces `"model":"<upstream id>"` in one chunk's bytes (chunks are small; the rest of the bytes are untouched). */
/** Appends `raw` to `out` with its first `needle` replaced: as views around the replacement, joined by the write. */
function pushWithModel(out: Array<Buffer | string>, raw: Buffer, needle: Buffer, replacement: Buffer): void {
  const at = raw.indexOf(needle);
  if (at < 0) out.push(raw);
  else out.push(raw.subarray(0, at), replacement, raw.subarray(at + needle.length));
}

/** A chunk carrying generated content: non-empty text or reasoning, or a tool call (the role chunk's `content: ""` is not). */
const FIRST_CONTENT = /"content":"(?!")|"tool_calls":\[|"reasoning(?:_content)?":"(?!")/;

async function relayChatStream(
  ctx: RequestContext,
  view: OpenAIRequestView,
  resp: Dispatcher.ResponseData,
  upstreamModel: string,
  attemptStart: number,
  attempt: { success: boolean; errorClass: string | null; error: string | null; ttftMs: number | null; durationMs: number },
  guard: AttemptGuard,
  maxEventBytes: number,
): Promise<'done' | 'retry'> {
  const res = ctx.res;
  const needle = Buffer.from(`"model":${JSON.stringify(upstreamModel)}`);
  const replacement = Buffer.from(`"model":${JSON.stringify(ctx.model)}`);
  const splitter = new SseSplitter({ maxEventBytes });
  let pendingBytes = 0;
  // The newest data chunk is held back so `metadata` can be added to whichever chunk turns out to be the last.
  let held: { raw: Buffer; data: string } | null = null;
  let sawDone = false;
  let committed = false;
  let pending: Array<Buffer | string> = [];
  let upstreamError: string | null = null;

  const commit = () => {
    committed = true;
    guard.firstContent();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...switchyardHeaders(ctx) });
    ctx.status = 200;
  };

  const finalChunk = (h: { raw: Buffer; data: string }): string => {
    const obj = JSON.parse(h.data) as Record<string, unknown>;
    obj.model = ctx.model;
    attempt.durationMs = round(performance.now() - attemptStart);
    obj.metadata = responseMetadata(ctx);
    return `data: ${JSON.stringify(obj)}\n\n`;
  };

  const handle = (ev: SseEvent, out: Array<Buffer | string>) => {
    if (!ev.hasData) {
      out.push(ev.raw);
      return;
    }
    if (ev.data === '[DONE]') {
      sawDone = true;
      if (held) out.push(finalChunk(held));
      held = null;
      out.push(ev.raw);
      return;
    }
    // Before commit every chunk is parsed: a malformed one fails over instead of reaching the client.
    if (!committed) JSON.parse(ev.data);
    if (ev.data.startsWith('{"error"') || ev.data.includes('"error":{')) {
      try {
        const err = (JSON.parse(ev.data) as { error?: { message?: string; type?: string } }).error;
        if (err) {
          upstreamError = err.message ?? 'provider sent an error chunk';
          ctx.errorClass = err.type ?? 'stream_error';
          ctx.error = upstreamError;
        }
      } catch {
        // not JSON: forwarded as is
      }
      if (!committed) return;
    }
    if (ctx.ttftMs === null && FIRST_CONTENT.test(ev.data)) {
      attempt.ttftMs = round(performance.now() - attemptStart);
      ctx.ttftMs = attempt.ttftMs;
      if (!committed) commit();
    }
    const isUsageChunk = ev.data.includes('"usage":{');
    if (isUsageChunk || ev.data.includes('"finish_reason":"')) {
      try {
        const obj = JSON.parse(ev.data) as { usage?: Record<string, unknown>; x_groq?: { usage?: Record<string, unknown> }; choices?: Array<{ finish_reason?: string | null }> };
        // Groq reports stream usage in `x_groq` (and at the top level only when include_usage took effect).
        const u = obj.usage ?? obj.x_groq?.usage;
        if (u) ctx.usage = readOpenAIUsage(u);
        const fr = obj.choices?.[0]?.finish_reason;
        if (fr) ctx.stopReason = fr;
        // The client did not ask for the usage chunk (we did): keep it from clients that read choices[0].
        if (obj.usage && !view.clientWantsUsage && Array.isArray(obj.choices) && obj.choices.length === 0) return;
      } catch {
        // forwarded unchanged below
      }
    }
    if (held) pushWithModel(out, held.raw, needle, replacement);
    held = { raw: ev.raw, data: ev.data };
  };

  const emit = async (out: Array<Buffer | string>) => {
    if (!committed) {
      // Whatever precedes the first content is held; an upstream that never gets there must not fill memory.
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

  const failEarly = (errorClass: string, message: string): 'retry' => {
    attempt.success = false;
    attempt.errorClass = errorClass;
    attempt.error = message;
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
          if (!committed) {
            resp.body.destroy();
            return failEarly('upstream_malformed', `provider ${ctx.provider} sent a malformed chunk`);
          }
        }
        if (upstreamError && !committed) {
          resp.body.destroy();
          return failEarly('upstream_stream_error', upstreamError);
        }
      }
      await emit(out);
      if (res.destroyed) {
        resp.body.destroy();
        ctx.fail(499, 'client_closed', 'the client closed the connection during the stream');
        return 'done';
      }
    }
  } catch (err) {
    if (!committed) {
      const failure = classifyTransportError(err, ctx.provider ?? 'upstream');
      if (failure.errorClass === 'client_closed' && !guard.reason) throw err;
      return failEarly(guard.reason ?? (failure.errorClass === 'upstream_too_large' ? failure.errorClass : 'stream_cut'), guard.describe(ctx.provider ?? 'upstream') ?? failure.message);
    }
    throw err;
  }
  const out: Array<Buffer | string> = [];
  for (const ev of splitter.flush()) handle(ev, out);
  if (!committed) {
    if (!sawDone) return failEarly('stream_cut', 'the provider ended the stream before any content');
    commit();
  }
  if (held) out.push(finalChunk(held));
  if (!sawDone && ctx.errorClass === null) {
    ctx.fail(200, 'stream_cut', 'the provider ended the stream before [DONE]');
    attempt.success = false;
    attempt.errorClass = 'stream_cut';
    attempt.error = 'the provider ended the stream before [DONE]';
    out.push(`data: ${JSON.stringify({ error: { message: 'The provider ended the stream before it was complete.', type: 'server_error', param: null, code: 'stream_cut' } })}\n\n`);
  }
  await emit(out);
  res.end();
  return 'done';
}

import { request, type Dispatcher } from 'undici';
import type { Request as CanonicalRequest, StreamEvent, Usage } from '../formats/canonical/types.js';
import type { ClientEncodeOptions, UpstreamTarget } from '../formats/canonical/codec.js';
import { codecFor } from '../formats/index.js';
import { SseSplitter } from '../formats/sse/index.js';
import type { RequestContext } from '../ingress/context.js';
import { sendJson } from '../ingress/respond.js';
import type { Candidate } from '../routing/resolve.js';
import { authHeaders, upstreamUrl } from '../providers/upstream.js';
import type { Provider } from '../providers/registry.js';
import { emptyUsage as emptyRecordUsage, type TokenUsage } from '../telemetry/record.js';
import { classifyTransportError, isFailoverStatus } from './attempt.js';
import { openGate, settleGate, skippedAttempt } from './gate.js';
import { MAX_ERROR_BODY, MAX_JSON_BODY, readLimited, round } from './io.js';
import { AttemptGuard, resolveTimeouts } from './guard.js';
import { retryAfterMs, shouldWait, sleep } from './retry-after.js';
import { responseMetadata, switchyardHeaders } from './metadata.js';
import type { ExecutionServices } from './anthropic-passthrough.js';


class UpstreamInvalidResponse extends Error {}

export interface TranslateOptions {
  /** Estimated prompt tokens for `message_start` of a translated stream. */
  estimateInput?: (provider: Provider, model: string) => number;
  maxOutputTokens?: (provider: Provider, model: string) => number | undefined;
}

function toRecordUsage(u: Usage): TokenUsage {
  return { ...emptyRecordUsage(), input: u.input, output: u.output, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite, reasoning: u.reasoning };
}

function upstreamRequest(ctx: RequestContext, provider: Provider, model: string, stream: boolean): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...provider.headers };
  switch (provider.format) {
    case 'anthropic': {
      headers['anthropic-version'] = '2023-06-01';
      // An Anthropic client's betas still apply when its request reaches an Anthropic upstream through the canonical form.
      const beta = ctx.api === 'anthropic' ? ctx.req.headers['anthropic-beta'] : undefined;
      if (beta) headers['anthropic-beta'] = Array.isArray(beta) ? beta.join(',') : beta;
      return { url: upstreamUrl(provider, 'messages', model), headers };
    }
    case 'openai':
      return { url: upstreamUrl(provider, 'chat', model), headers };
    case 'gemini':
      return { url: upstreamUrl(provider, stream ? 'stream_generate' : 'generate', model), headers };
  }
}

function headerRecord(h: Dispatcher.ResponseData['headers']): Record<string, string | string[] | undefined> {
  return h as Record<string, string | string[] | undefined>;
}

/**
 * Serves a request whose client format differs from the provider's: decode (already done) → encode for the upstream
 * → decode the answer → encode for the client. Streams are translated event by event. Nothing is written to the
 * client before the first content event, so a failure before it moves on to the next candidate unseen.
 */
export async function executeTranslated(
  svc: ExecutionServices,
  ctx: RequestContext,
  req: CanonicalRequest,
  candidates: Candidate[],
  opts: TranslateOptions = {},
): Promise<void> {
  const clientCodec = codecFor(ctx.api);
  const clientGone = new AbortController();
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) clientGone.abort();
  });
  const signal = AbortSignal.any([clientGone.signal, AbortSignal.timeout(svc.totalTimeoutMs)]);
  const deadline = performance.now() + svc.totalTimeoutMs;
  let waited = false;
  const chain = candidates.slice(0, svc.maxAttempts);
  const toolNames = req.tools?.map((t) => t.name);

  const sendClientError = (status: number, kind: Parameters<typeof clientCodec.encodeError>[0]['kind'], message: string, errorClass: string, extraHeaders: Record<string, string> = {}, noRetry = false, retryAfter?: number) => {
    const out = clientCodec.encodeError({ status, kind, message, noRetry, retryAfter }, ctx.id);
    ctx.fail(out.status, errorClass, message);
    sendJson(ctx.res, out.status, JSON.stringify(out.body), { ...switchyardHeaders(ctx), ...out.headers, ...extraHeaders });
  };

  for (let i = 0; i < chain.length; i++) {
    const { provider, model } = chain[i];
    const last = i === chain.length - 1;
    const gate = openGate(svc.breakers, svc.providers, provider, model);
    if (!gate.allowed) {
      // The circuit is open: no request is sent; the next candidate, if any, answers.
      ctx.attempts.push(skippedAttempt(provider.name, model, gate.retryInMs));
      if (!last) continue;
      sendClientError(503, 'overloaded', `every provider for this request is failing right now (circuits open); retry in ${Math.ceil(gate.retryInMs / 1000)} s`, 'circuit_open', { 'retry-after': String(Math.ceil(gate.retryInMs / 1000)) });
      return;
    }
    const attemptsBefore = ctx.attempts.length;
    try {
      const attemptStart = performance.now();
      const upstreamCodec = codecFor(provider.format);
      const target: UpstreamTarget = { provider: provider.name, model, maxOutputTokens: opts.maxOutputTokens?.(provider, model), quirks: provider.quirks };
      let body: Buffer;
      try {
        body = Buffer.from(JSON.stringify(upstreamCodec.encodeRequest(req, target)));
      } catch (e) {
        ctx.attempts.push({ provider: provider.name, model, status: null, success: false, errorClass: 'translation_error', error: (e as Error).message, ttftMs: null, durationMs: 0 });
        if (!last) continue;
        sendClientError(400, 'invalid_request', `The request cannot be translated for provider ${provider.name}: ${(e as Error).message}`, 'translation_error', {}, true);
        return;
      }
      const { url, headers } = upstreamRequest(ctx, provider, model, req.stream);
      authHeaders(provider, gate.key, headers);
      if (ctx.overheadMs === null) ctx.overheadMs = ctx.elapsed();

      const guard = new AttemptGuard(signal, resolveTimeouts(svc.timeouts, provider.timeouts, ctx.ttftOverrideMs ?? undefined), req.stream);
      let resp: Dispatcher.ResponseData;
      try {
        resp = await request(url, { method: 'POST', headers, body, dispatcher: svc.agent, signal: guard.signal });
      } catch (err) {
        guard.dispose();
        const failure = classifyTransportError(err, provider.name);
        const errorClass = guard.reason ?? failure.errorClass;
        const message = guard.describe(provider.name) ?? failure.message;
        ctx.attempts.push({ provider: provider.name, model, status: null, success: false, errorClass, error: message, ttftMs: null, durationMs: round(performance.now() - attemptStart) });
        if (failure.errorClass === 'client_closed' && !guard.reason) {
          ctx.fail(499, 'client_closed', failure.message);
          return;
        }
        if (!last) continue;
        const timeout = guard.reason !== null || failure.errorClass === 'timeout' || failure.errorClass === 'connect_timeout';
        sendClientError(timeout ? 504 : 502, timeout ? 'timeout' : 'api_error', message, errorClass);
        return;
      }

      if (resp.statusCode >= 400) {
        let text = '';
        try {
          text = (await readLimited(resp.body, MAX_ERROR_BODY)).toString('utf8');
        } catch {
          // the status alone still says what happened
        }
        const info = upstreamCodec.decodeError(resp.statusCode, text, headerRecord(resp.headers));
        guard.dispose();
        ctx.attempts.push({ provider: provider.name, model, status: resp.statusCode, success: false, errorClass: info.kind, error: info.message, ttftMs: null, durationMs: round(performance.now() - attemptStart) });
        if (isFailoverStatus(resp.statusCode)) {
          const wait = info.retryAfter !== undefined ? info.retryAfter * 1000 : retryAfterMs(resp.headers['retry-after']);
          if (shouldWait(wait, !last, deadline - performance.now(), waited)) {
            waited = true;
            await sleep(wait!, signal);
            if (!signal.aborted) i--;
            continue;
          }
          if (!last) continue;
        }
        if (resp.statusCode === 401 || resp.statusCode === 403) {
          sendClientError(502, 'api_error', `provider ${provider.name} rejected Switchyard's credentials (${resp.statusCode}): ${info.message}`, 'upstream_auth');
          return;
        }
        const extra: Record<string, string> = {};
        if (info.retryAfter !== undefined) extra['retry-after'] = String(info.retryAfter);
        const out = clientCodec.encodeError({ ...info, message: `${provider.name}: ${info.message}` }, ctx.id);
        ctx.fail(out.status, info.kind, info.message);
        sendJson(ctx.res, out.status, JSON.stringify(out.body), { ...switchyardHeaders(ctx), ...out.headers, ...extra });
        return;
      }

      ctx.model = `${provider.name}/${model}`;
      ctx.provider = provider.name;
      const attempt = { provider: provider.name, model, status: resp.statusCode, success: true, errorClass: null as string | null, error: null as string | null, ttftMs: null as number | null, durationMs: 0 };
      ctx.attempts.push(attempt);
      const encodeOpts: ClientEncodeOptions = {
        model: ctx.model,
        includeUsage: req.includeUsage,
        metadata: () => {
          attempt.durationMs = round(performance.now() - attemptStart);
          return responseMetadata(ctx);
        },
      };

      if (!req.stream) {
        try {
          const buf = await readLimited(resp.body, MAX_JSON_BODY);
          attempt.ttftMs = round(performance.now() - attemptStart);
          ctx.ttftMs = attempt.ttftMs;
          let canonical;
          try {
            canonical = upstreamCodec.decodeResponse(JSON.parse(buf.toString('utf8')), { provider: provider.name, model, toolNames });
          } catch (e) {
            throw new UpstreamInvalidResponse(`provider ${provider.name} sent a response Switchyard cannot read: ${(e as Error).message}`);
          }
          ctx.usage = toRecordUsage(canonical.usage);
          ctx.stopReason = canonical.stopReason;
          ctx.status = 200;
          attempt.durationMs = round(performance.now() - attemptStart);
          const out = JSON.stringify(clientCodec.encodeResponse(canonical, encodeOpts));
          sendJson(ctx.res, 200, out, switchyardHeaders(ctx));
          return;
        } catch (err) {
          const failure = classifyTransportError(err, provider.name);
          const invalid = err instanceof UpstreamInvalidResponse;
          attempt.success = false;
          attempt.errorClass = invalid ? 'upstream_invalid_response' : failure.errorClass;
          attempt.error = invalid ? err.message : failure.message;
          attempt.durationMs = round(performance.now() - attemptStart);
          if (failure.errorClass === 'client_closed') {
            ctx.fail(499, 'client_closed', failure.message);
            return;
          }
          if (!last) continue;
          sendClientError(502, 'api_error', attempt.error, attempt.errorClass);
          return;
        }
      }

      const outcome = await relayTranslatedStream(ctx, resp, attemptStart, attempt, upstreamCodec.streamDecoder({ provider: provider.name, model, estimatedInput: estimated(opts, provider, model), toolNames }), clientCodec.streamEncoder(encodeOpts), guard);
      guard.dispose();
      attempt.durationMs = round(performance.now() - attemptStart);
      if (outcome === 'retry' && !last) {
        ctx.usage = null;
        ctx.ttftMs = null;
        continue;
      }
      if (outcome === 'retry') {
        sendClientError(502, 'api_error', attempt.error ?? `provider ${provider.name} failed before answering`, attempt.errorClass ?? 'upstream_error');
      }
      return;
    } finally {
      settleGate(svc.breakers, gate, ctx.attempts.length > attemptsBefore ? ctx.attempts[ctx.attempts.length - 1] : undefined);
    }
  }
}

function estimated(opts: TranslateOptions, provider: Provider, model: string): Usage | undefined {
  const input = opts.estimateInput?.(provider, model);
  return input === undefined ? undefined : { input, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
}

/** The first token: generated content. A block start alone carries none yet (a call without arguments commits at finish). */
const CONTENT_EVENTS = new Set<StreamEvent['type']>(['text_delta', 'thinking_delta', 'tool_args_delta', 'signature_delta']);

/**
 * Streams one upstream answer to the client, translating event by event. Returns 'retry' when the upstream failed
 * before the first content event (nothing was sent, the next candidate may answer), else 'done'.
 */
async function relayTranslatedStream(
  ctx: RequestContext,
  resp: Dispatcher.ResponseData,
  attemptStart: number,
  attempt: { success: boolean; errorClass: string | null; error: string | null; ttftMs: number | null },
  decoder: ReturnType<ReturnType<typeof codecFor>['streamDecoder']>,
  encoder: ReturnType<ReturnType<typeof codecFor>['streamEncoder']>,
  guard: AttemptGuard,
): Promise<'retry' | 'done'> {
  const res = ctx.res;
  const splitter = new SseSplitter();
  let committed = false;
  let pending: string[] = [];
  let finished = false;
  let failed = false;

  const commit = () => {
    committed = true;
    guard.firstContent();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...switchyardHeaders(ctx) });
    ctx.status = 200;
    if (pending.length) res.write(pending.join(''));
    pending = [];
  };

  const handle = (events: StreamEvent[]): string => {
    let out = '';
    for (const ev of events) {
      if (!committed && CONTENT_EVENTS.has(ev.type)) {
        attempt.ttftMs = round(performance.now() - attemptStart);
        ctx.ttftMs = attempt.ttftMs;
        pending.push(out);
        out = '';
        commit();
      }
      if (ev.type === 'finish') {
        finished = true;
        ctx.usage = toRecordUsage(ev.usage);
        ctx.stopReason = ev.stopReason;
      } else if (ev.type === 'error') {
        failed = true;
        attempt.success = false;
        attempt.errorClass = committed ? 'stream_cut' : ev.error.kind;
        attempt.error = ev.error.message;
        if (!committed) return out;
        ctx.errorClass = 'stream_cut';
        ctx.error = ev.error.message;
      } else if (ev.type === 'start' && ctx.usage === null) {
        ctx.usage = toRecordUsage(ev.usage);
      }
      out += encoder.push(ev);
    }
    return out;
  };

  const write = async (text: string) => {
    if (!text) return;
    if (!committed) {
      pending.push(text);
      return;
    }
    if (!res.write(text) && !res.destroyed) await new Promise<void>((resolve) => {
      res.once('drain', resolve);
      res.once('close', resolve);
    });
  };

  try {
    for await (const chunk of resp.body) {
      guard.activity();
      for (const ev of splitter.push(chunk as Buffer)) {
        await write(handle(decoder.push(ev.event, ev.data)));
        if (failed && !committed) {
          resp.body.destroy();
          return 'retry';
        }
      }
      if (res.destroyed) {
        resp.body.destroy();
        ctx.fail(499, 'client_closed', 'the client closed the connection during the stream');
        return 'done';
      }
    }
    for (const ev of splitter.flush()) await write(handle(decoder.push(ev.event, ev.data)));
    await write(handle(decoder.end()));
  } catch (err) {
    const failure = classifyTransportError(err, ctx.provider ?? 'upstream');
    if ((failure.errorClass === 'client_closed' && !guard.reason) || res.destroyed) {
      ctx.fail(499, 'client_closed', failure.message);
      return 'done';
    }
    const message = guard.describe(ctx.provider ?? 'upstream') ?? failure.message;
    if (!committed) {
      attempt.success = false;
      attempt.errorClass = guard.reason ?? failure.errorClass;
      attempt.error = message;
      return 'retry';
    }
    ctx.errorClass = 'stream_cut';
    ctx.error = message;
    attempt.success = false;
    attempt.errorClass = 'stream_cut';
    attempt.error = message;
    await write(encoder.push({ type: 'error', error: { status: 502, kind: 'api_error', message } }));
    res.end();
    return 'done';
  }
  if (failed && !committed) return 'retry';
  if (!committed) {
    // A stream with no content at all (e.g. an empty answer): still a valid answer if it finished.
    if (!finished) {
      attempt.success = false;
      attempt.errorClass = 'stream_cut';
      attempt.error = 'the provider ended the stream without an answer';
      return 'retry';
    }
    commit();
  }
  res.end(failed ? '' : encoder.end());
  return 'done';
}


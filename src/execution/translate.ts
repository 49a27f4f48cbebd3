import type { Dispatcher } from 'undici';
import type { Request as CanonicalRequest, StreamEvent, Usage } from '../formats/canonical/types.js';
import type { ClientEncodeOptions, UpstreamTarget } from '../formats/canonical/codec.js';
import { codecFor } from '../formats/index.js';
import { isDeeplyFrozen, MemberTexts, stringifyToBuffer, stringifyWithRawStrings } from '../formats/json-scan/index.js';
import { SseSplitter } from '../formats/sse/index.js';
import type { RequestContext } from '../ingress/context.js';
import { sendJson } from '../ingress/respond.js';
import type { Candidate } from '../routing/resolve.js';
import { authHeaders, sendUpstream, upstreamPath } from '../providers/upstream.js';
import type { Provider } from '../providers/registry.js';
import { emptyUsage as emptyRecordUsage, type TokenUsage } from '../telemetry/record.js';
import { classifyTransportError, isFailoverStatus, upstreamAuthMessage } from './attempt.js';
import { openGate, settleGate, skippedAttempt } from './gate.js';
import { circuitsOpenMessage, requestScope } from './scope.js';
import { DEFAULT_UPSTREAM_EVENT_LIMIT, MAX_ERROR_BODY, MAX_JSON_BODY, readLimited, round, UpstreamTooLargeError, withoutKey } from './io.js';
import { writable } from '../util/writable.js';
import { AttemptGuard, resolveTimeouts } from './guard.js';
import { retryAfterMs, shouldWait, sleep } from './retry-after.js';
import type { Gate } from './gate.js';
import type { AttemptRecord } from '../telemetry/record.js';
import { responseMetadata, switchyardHeaders } from './metadata.js';
import type { ExecutionServices } from './anthropic-passthrough.js';
import { hasRemoteImages, inlineRemoteImages, RemoteFetchError } from '../providers/remote-fetch/index.js';
import { unknownBlockTypeFor } from '../formats/canonical/unknown-blocks.js';
import { Cancellation } from './cancel.js';


class UpstreamInvalidResponse extends Error {}

export interface TranslateOptions {
  /** Estimated prompt tokens for `message_start` of a translated stream. */
  estimateInput?: (provider: Provider, model: string) => number;
  maxOutputTokens?: (provider: Provider, model: string) => number | undefined;
}

function toRecordUsage(u: Usage): TokenUsage {
  const out: TokenUsage = { ...emptyRecordUsage(), input: u.input, output: u.output, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite, reasoning: u.reasoning };
  // Anthropic 1-hour cache writes cost more than 5-minute ones; without the split the record under-prices them.
  if (u.cacheWrite1h) out.cacheWrite1h = u.cacheWrite1h;
  return out;
}

function upstreamRequest(ctx: RequestContext, provider: Provider, model: string, stream: boolean): { path: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...provider.headers };
  switch (provider.format) {
    case 'anthropic': {
      headers['anthropic-version'] = '2023-06-01';
      // An Anthropic client's betas still apply when its request reaches an Anthropic upstream through the canonical form.
      const beta = ctx.api === 'anthropic' ? ctx.req.headers['anthropic-beta'] : undefined;
      if (beta) headers['anthropic-beta'] = Array.isArray(beta) ? beta.join(',') : beta;
      return { path: upstreamPath(provider, 'messages', model), headers };
    }
    case 'openai':
      return { path: upstreamPath(provider, 'chat', model), headers };
    case 'gemini':
      return { path: upstreamPath(provider, stream ? 'stream_generate' : 'generate', model), headers };
  }
}

/** The upstream tools' JSON text, per upstream, reused while an agent keeps sending the same tools. */
const upstreamToolTexts = new MemberTexts();

/**
 * The upstream's JSON body for `req`: byte strings in latin1, raw strings spliced back in as the client's bytes. When
 * the tools are the shared, frozen ones of SharedValues (parseBodyToTranslate), their upstream text is reused too.
 */
function upstreamBody(codec: ReturnType<typeof codecFor>, req: CanonicalRequest, target: UpstreamTarget, sizeHint: number): Buffer {
  const raw = req.rawStrings;
  if (raw) {
    const shared = req.tools !== undefined && req.tools.length > 0 && req.tools.every((t) => isDeeplyFrozen(t.inputSchema));
    const reuse = shared ? { texts: upstreamToolTexts, key: `${target.provider} ${codec.format}`, member: 'tools' } : undefined;
    const spliced = stringifyWithRawStrings(codec.encodeRequest(req, target), raw, undefined, reuse);
    if (spliced) return spliced;
    // The encoder serialised a raw text into another string (no codec does today): encode the texts themselves.
    req = raw.expand(req);
  }
  return stringifyToBuffer(codec.encodeRequest(req, target), req.byteStrings === true ? 'latin1' : 'utf8', { sizeHint });
}

function headerRecord(h: Dispatcher.ResponseData['headers']): Record<string, string | string[] | undefined> {
  return h as Record<string, string | string[] | undefined>;
}

/** Who may write to the client: the first attempt to reach its first token. Losers are cancelled. */
class Arbiter {
  private winner: symbol | null = null;
  private readonly racers = new Map<symbol, Cancellation>();

  enter(id: symbol): Cancellation {
    const ac = new Cancellation();
    this.racers.set(id, ac);
    return ac;
  }

  leave(id: symbol): void {
    this.racers.delete(id);
  }

  get decided(): boolean {
    return this.winner !== null;
  }

  /** True for the first caller; every other racer is aborted at once. */
  tryCommit(id: symbol): boolean {
    if (this.winner !== null) return this.winner === id;
    this.winner = id;
    for (const [other, ac] of this.racers) if (other !== id) ac.abort(Object.assign(new Error('hedged loser'), { name: 'HedgedLoser' }));
    return true;
  }

  lost(id: symbol): boolean {
    return this.winner !== null && this.winner !== id;
  }
}

type Outcome =
  | { kind: 'done' }
  | { kind: 'client_closed' }
  | { kind: 'lost' }
  /** `respond` answers the client with this failure when no other candidate can. */
  | { kind: 'failed'; retryable: boolean; respond: () => void; waitMs?: number | null };

type ClientErrorKind = Parameters<ReturnType<typeof codecFor>['encodeError']>[0]['kind'];

/**
 * Serves a request through the canonical form: encode for the upstream → decode the answer → encode for the client;
 * streams are translated event by event. Nothing is written to the client before the first content event, so a
 * failure before it moves on to the next candidate unseen. With `hedgeAfterMs`, when the running attempt has no first
 * token by then the next candidate starts in parallel; the first to produce content wins and the other is cancelled
 * upstream and recorded as `hedged_loser`.
 */
export async function executeTranslated(
  svc: ExecutionServices,
  ctx: RequestContext,
  req: CanonicalRequest,
  candidates: Candidate[],
  opts: TranslateOptions = {},
): Promise<void> {
  const clientCodec = codecFor(ctx.api);
  const { signal, deadline, chain } = requestScope(ctx, candidates, svc);
  // Byte-string requests only have ASCII tool names (markByteStrings), so these read the same as text.
  const toolNames = req.tools?.map((t) => t.name);
  const arbiter = new Arbiter();
  const hedgeAfterMs = req.stream ? ctx.hedgeAfterMs : null;
  const bodyLimit = svc.upstreamLimits?.bodyBytes ?? MAX_JSON_BODY;
  // Fetched once per request, however many Gemini candidates the chain has.
  let inlined: Promise<CanonicalRequest> | null = null;
  const inlinedForGemini = () => (inlined ??= inlineRemoteImages(req, svc.remoteFetch!));

  const clientError = (status: number, kind: ClientErrorKind, message: string, errorClass: string, extraHeaders: Record<string, string> = {}, noRetry = false, retryAfter?: number) => () => {
    const out = clientCodec.encodeError({ status, kind, message, noRetry, retryAfter }, ctx.id);
    ctx.fail(out.status, errorClass, message);
    sendJson(ctx.res, out.status, JSON.stringify(out.body), { ...switchyardHeaders(ctx), ...out.headers, ...extraHeaders });
  };

  /** One attempt on one candidate; writes to the client only after winning the arbiter. */
  const runAttempt = async (cand: Candidate, gate: Extract<Gate, { allowed: true }>, record: (a: AttemptRecord) => AttemptRecord): Promise<Outcome> => {
    const { provider, model } = cand;
    const me = Symbol(provider.name);
    const raceAbort = arbiter.enter(me);
    const attemptStart = performance.now();
    const upstreamCodec = codecFor(provider.format);
    const target: UpstreamTarget = { provider: provider.name, model, maxOutputTokens: opts.maxOutputTokens?.(provider, model), quirks: provider.quirks };
    let upstreamReq = req;
    if (provider.format === 'gemini' && svc.remoteFetch && hasRemoteImages(req)) {
      // Gemini takes images inline; a URL left as fileData is fetched by Google only for its own Files API.
      try {
        upstreamReq = await inlinedForGemini();
      } catch (e) {
        if (!(e instanceof RemoteFetchError)) throw e;
        record({ provider: provider.name, model, status: null, success: false, errorClass: `remote_fetch_${e.code}`, error: e.message, ttftMs: null, durationMs: round(performance.now() - attemptStart) });
        arbiter.leave(me);
        return { kind: 'failed', retryable: false, respond: clientError(400, 'invalid_request', `An image in the request could not be used: ${e.message}`, `remote_fetch_${e.code}`, {}, true) };
      }
    }
    let body: Buffer;
    try {
      const unknown = unknownBlockTypeFor(upstreamReq, provider.format);
      if (unknown) throw new Error(`content block type "${unknown}" is unknown, and a ${provider.format}-format provider would silently drop it`);
      // The caller's body size stands for the upstream body's, unless remote images were inlined into it.
      const sizeHint = upstreamReq === req ? (ctx.requestBody?.length ?? Infinity) : Infinity;
      body = upstreamBody(upstreamCodec, upstreamReq, target, sizeHint);
    } catch (e) {
      record({ provider: provider.name, model, status: null, success: false, errorClass: 'translation_error', error: (e as Error).message, ttftMs: null, durationMs: 0 });
      arbiter.leave(me);
      return { kind: 'failed', retryable: true, respond: clientError(400, 'invalid_request', `The request cannot be translated for provider ${provider.name}: ${(e as Error).message}`, 'translation_error', {}, true) };
    }
    const { path: upstreamAt, headers } = upstreamRequest(ctx, provider, model, req.stream);
    authHeaders(provider, gate.key, headers);
    if (ctx.overheadMs === null) ctx.overheadMs = ctx.elapsed();
    const guard = new AttemptGuard([signal, raceAbort], resolveTimeouts(svc.timeouts, provider.timeouts, ctx.limits), req.stream);
    const lostRecord = () => record({ provider: provider.name, model, status: null, success: false, errorClass: 'hedged_loser', error: 'another provider answered first; this request was cancelled', ttftMs: null, durationMs: round(performance.now() - attemptStart) });
    try {
      let resp: Dispatcher.ResponseData;
      try {
        resp = await sendUpstream(svc.agents.for(provider), provider, upstreamAt, { method: 'POST', headers, body, signal: guard.signal });
      } catch (err) {
        if (arbiter.lost(me)) {
          lostRecord();
          return { kind: 'lost' };
        }
        const failure = classifyTransportError(err, provider.name);
        const errorClass = guard.reason ?? failure.errorClass;
        const message = guard.describe(provider.name) ?? failure.message;
        record({ provider: provider.name, model, status: null, success: false, errorClass, error: message, ttftMs: null, durationMs: round(performance.now() - attemptStart) });
        if (failure.errorClass === 'client_closed' && !guard.reason) return { kind: 'client_closed' };
        const timeout = guard.reason !== null || failure.errorClass === 'timeout' || failure.errorClass === 'connect_timeout';
        return { kind: 'failed', retryable: true, respond: clientError(timeout ? 504 : 502, timeout ? 'timeout' : 'api_error', message, errorClass) };
      }

      if (resp.statusCode >= 400) {
        let text = '';
        try {
          text = withoutKey((await readLimited(resp.body, MAX_ERROR_BODY)).toString('utf8'), gate.key);
        } catch {
          // the status alone still says what happened
        }
        const info = upstreamCodec.decodeError(resp.statusCode, text, headerRecord(resp.headers));
        record({ provider: provider.name, model, status: resp.statusCode, success: false, errorClass: info.kind, error: info.message, ttftMs: null, durationMs: round(performance.now() - attemptStart) });
        if (resp.statusCode === 401 || resp.statusCode === 403) {
          return { kind: 'failed', retryable: true, respond: clientError(502, 'api_error', upstreamAuthMessage(provider.name, resp.statusCode, info.message), 'upstream_auth') };
        }
        const extra: Record<string, string> = {};
        if (info.retryAfter !== undefined) extra['retry-after'] = String(info.retryAfter);
        const respond = () => {
          const out = clientCodec.encodeError({ ...info, message: `${provider.name}: ${info.message}` }, ctx.id);
          ctx.fail(out.status, info.kind, info.message);
          sendJson(ctx.res, out.status, JSON.stringify(out.body), { ...switchyardHeaders(ctx), ...out.headers, ...extra });
        };
        const waitMs = info.retryAfter !== undefined ? info.retryAfter * 1000 : retryAfterMs(resp.headers['retry-after']);
        return { kind: 'failed', retryable: isFailoverStatus(resp.statusCode), respond, waitMs };
      }

      const served = `${provider.name}/${model}`;
      const attempt = record({ provider: provider.name, model, status: resp.statusCode, success: true, errorClass: null, error: null, ttftMs: null, durationMs: 0 });
      const win = (): boolean => {
        if (!arbiter.tryCommit(me)) return false;
        ctx.model = served;
        ctx.provider = provider.name;
        return true;
      };
      const encodeOpts: ClientEncodeOptions = {
        model: served,
        includeUsage: req.includeUsage,
        metadata: () => {
          attempt.durationMs = round(performance.now() - attemptStart);
          return responseMetadata(ctx);
        },
      };

      if (!req.stream) {
        try {
          const buf = await readLimited(resp.body, bodyLimit);
          attempt.ttftMs = round(performance.now() - attemptStart);
          let canonical;
          try {
            canonical = upstreamCodec.decodeResponse(JSON.parse(buf.toString('utf8')), { provider: provider.name, model, toolNames });
          } catch (e) {
            throw new UpstreamInvalidResponse(`provider ${provider.name} sent a response Switchyard cannot read: ${(e as Error).message}`);
          }
          if (!win()) {
            Object.assign(attempt, { success: false, errorClass: 'hedged_loser', error: 'another provider answered first' });
            return { kind: 'lost' };
          }
          ctx.ttftMs = attempt.ttftMs;
          ctx.usage = toRecordUsage(canonical.usage);
          ctx.stopReason = canonical.stopReason;
          ctx.status = 200;
          attempt.durationMs = round(performance.now() - attemptStart);
          sendJson(ctx.res, 200, JSON.stringify(clientCodec.encodeResponse(canonical, encodeOpts)), switchyardHeaders(ctx));
          return { kind: 'done' };
        } catch (err) {
          if (arbiter.lost(me)) {
            Object.assign(attempt, { success: false, errorClass: 'hedged_loser', error: 'another provider answered first' });
            return { kind: 'lost' };
          }
          const failure = classifyTransportError(err, provider.name);
          const invalid = err instanceof UpstreamInvalidResponse;
          attempt.success = false;
          attempt.errorClass = invalid ? 'upstream_invalid_response' : failure.errorClass;
          attempt.error = invalid ? err.message : failure.message;
          attempt.durationMs = round(performance.now() - attemptStart);
          if (failure.errorClass === 'client_closed' && !invalid) return { kind: 'client_closed' };
          return { kind: 'failed', retryable: true, respond: clientError(502, 'api_error', attempt.error, attempt.errorClass) };
        }
      }

      // The estimate (a walk of the whole prompt) only when the upstream does not count the prompt before its answer.
      const decoder = upstreamCodec.streamDecoder({ provider: provider.name, model, estimateInput: opts.estimateInput && (() => estimated(opts, provider, model)!), toolNames });
      const outcome = await relayTranslatedStream(ctx, resp, attemptStart, attempt, decoder, clientCodec.streamEncoder(encodeOpts), guard, win, () => arbiter.lost(me), svc.upstreamLimits?.eventBytes);
      attempt.durationMs = round(performance.now() - attemptStart);
      if (outcome === 'lost') {
        Object.assign(attempt, { success: false, errorClass: 'hedged_loser', error: 'another provider answered first; this request was cancelled' });
        return { kind: 'lost' };
      }
      if (outcome === 'retry') return { kind: 'failed', retryable: true, respond: clientError(502, 'api_error', attempt.error ?? `provider ${provider.name} failed before answering`, attempt.errorClass ?? 'upstream_error') };
      if (outcome === 'client_closed') return { kind: 'client_closed' };
      return { kind: 'done' };
    } finally {
      guard.dispose();
      arbiter.leave(me);
    }
  };

  // The chain: attempts in order; with hedging, at most two run at once.
  let next = 0;
  let waited = false;
  let lastFailure: Extract<Outcome, { kind: 'failed' }> | null = null;
  let closed = false;
  const active = new Map<symbol, Promise<{ id: symbol; outcome: Outcome }>>();

  /** Starts the next candidate whose circuit allows it; false when none is left. */
  const launch = (): boolean => {
    while (next < chain.length) {
      const cand = chain[next++];
      const gate = openGate(svc.breakers, svc.providers, cand.provider, cand.model);
      if (!gate.allowed) {
        ctx.attempts.push(skippedAttempt(cand.provider.name, cand.model, gate.retryInMs));
        const seconds = String(Math.ceil(gate.retryInMs / 1000));
        lastFailure ??= { kind: 'failed', retryable: true, respond: clientError(503, 'overloaded', circuitsOpenMessage(gate.retryInMs), 'circuit_open', { 'retry-after': seconds }) };
        continue;
      }
      const id = Symbol('attempt');
      let mine: AttemptRecord | undefined;
      const record = (a: AttemptRecord) => {
        ctx.attempts.push(a);
        mine = a;
        return a;
      };
      active.set(
        id,
        runAttempt(cand, gate, record).then(
          (outcome) => ({ id, outcome }),
          (err: unknown) => {
            svc.log.error({ err, requestId: ctx.id }, 'attempt failed unexpectedly');
            return { id, outcome: { kind: 'failed', retryable: true, respond: clientError(502, 'api_error', 'internal error during the attempt', 'internal') } as Outcome };
          },
        ).finally(() => settleGate(svc.breakers, gate, mine, ctx.start)),
      );
      return true;
    }
    return false;
  };

  if (!launch()) {
    // Every candidate's circuit is open (launch recorded why).
    (lastFailure as Extract<Outcome, { kind: 'failed' }> | null)?.respond();
    return;
  }
  let hedged = false;
  while (active.size > 0) {
    const hedgeReady = hedgeAfterMs && !hedged && !arbiter.decided && next < chain.length;
    const hedgeTimer = hedgeReady ? sleep(hedgeAfterMs!, signal).then(() => 'hedge' as const) : null;
    const settled = await Promise.race<{ id: symbol; outcome: Outcome } | 'hedge'>([...active.values(), ...(hedgeTimer ? [hedgeTimer] : [])]);
    if (settled === 'hedge') {
      if (!arbiter.decided && !signal.aborted) {
        hedged = true;
        launch();
      }
      continue;
    }
    active.delete(settled.id);
    const { outcome } = settled;
    if (outcome.kind === 'done') {
      closed = true;
      continue;
    }
    if (outcome.kind === 'client_closed') {
      ctx.fail(499, 'client_closed', 'the client closed the connection');
      closed = true;
      continue;
    }
    if (outcome.kind === 'lost' || closed || arbiter.decided) continue;
    lastFailure = outcome;
    if (active.size > 0) continue;
    if (!outcome.retryable) {
      outcome.respond();
      closed = true;
      continue;
    }
    const othersLeft = next < chain.length;
    if (shouldWait(outcome.waitMs ?? null, othersLeft, deadline - performance.now(), waited)) {
      waited = true;
      await sleep(outcome.waitMs!, signal);
      if (!signal.aborted) next--;
    }
    if (!launch()) {
      lastFailure.respond();
      closed = true;
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
 * before the first content event (nothing was sent, the next candidate may answer), 'lost' when another attempt
 * reached its first token first, else 'done' or 'client_closed'.
 */
async function relayTranslatedStream(
  ctx: RequestContext,
  resp: Dispatcher.ResponseData,
  attemptStart: number,
  attempt: { success: boolean; errorClass: string | null; error: string | null; ttftMs: number | null },
  decoder: ReturnType<ReturnType<typeof codecFor>['streamDecoder']>,
  encoder: ReturnType<ReturnType<typeof codecFor>['streamEncoder']>,
  guard: AttemptGuard,
  win: () => boolean,
  lost: () => boolean,
  maxEventBytes?: number,
): Promise<'retry' | 'done' | 'lost' | 'client_closed'> {
  const res = ctx.res;
  const splitter = new SseSplitter({ maxEventBytes });
  const preambleLimit = maxEventBytes ?? DEFAULT_UPSTREAM_EVENT_LIMIT;
  let pendingBytes = 0;
  let committed = false;
  let pending: string[] = [];
  let finished = false;
  let failed = false;
  let startUsage: TokenUsage | null = null;
  let ttft: number | null = null;

  /** Takes the client if no other attempt has; false means this attempt lost the race. */
  const commit = (): boolean => {
    if (!win()) return false;
    committed = true;
    guard.firstContent();
    ctx.ttftMs = ttft;
    if (ctx.usage === null && startUsage) ctx.usage = startUsage;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...switchyardHeaders(ctx) });
    ctx.status = 200;
    if (pending.length) res.write(pending.join(''));
    pending = [];
    return true;
  };

  let raceLost = false;
  const handle = (events: StreamEvent[]): string => {
    let out = '';
    for (const ev of events) {
      if (!committed && CONTENT_EVENTS.has(ev.type)) {
        ttft = round(performance.now() - attemptStart);
        attempt.ttftMs = ttft;
        pending.push(out);
        out = '';
        if (!commit()) {
          raceLost = true;
          return '';
        }
      }
      if (ev.type === 'finish') {
        finished = true;
        const u = toRecordUsage(ev.usage);
        if (committed) {
          ctx.usage = u;
          ctx.stopReason = ev.stopReason;
        } else {
          startUsage = u;
          ctx.stopReason = ev.stopReason;
        }
      } else if (ev.type === 'error') {
        failed = true;
        attempt.success = false;
        attempt.errorClass = committed ? 'stream_cut' : ev.error.kind;
        attempt.error = ev.error.message;
        if (!committed) return out;
        ctx.errorClass = 'stream_cut';
        ctx.error = ev.error.message;
      } else if (ev.type === 'start' && startUsage === null) {
        startUsage = toRecordUsage(ev.usage);
      }
      out += encoder.push(ev);
    }
    return out;
  };

  const write = async (text: string) => {
    if (!text) return;
    if (!committed) {
      // Whatever precedes the first content is held; an upstream that never gets there must not fill memory.
      pendingBytes += text.length;
      if (pendingBytes > preambleLimit) throw new UpstreamTooLargeError('the stream before its first content', preambleLimit);
      pending.push(text);
      return;
    }
    if (!res.write(text) && !res.destroyed) await writable(res);
  };

  // Once committed, the events translated from one upstream read leave in one write (one chunk of the chunked
  // encoding, one syscall) instead of one write per event: a small stream's ~12 events were ~12 writes.
  let batch = '';
  const take = async (events: StreamEvent[]) => {
    const text = handle(events);
    if (committed) batch += text;
    else await write(text);
  };
  const flushBatch = async () => {
    const text = batch;
    batch = '';
    await write(text);
  };

  try {
    for await (const chunk of resp.body) {
      guard.activity();
      for (const ev of splitter.push(chunk as Buffer)) {
        await take(decoder.push(ev.event, ev.data));
        if (raceLost) {
          resp.body.destroy();
          return 'lost';
        }
        if (failed && !committed) {
          resp.body.destroy();
          return 'retry';
        }
      }
      await flushBatch();
      if (res.destroyed) {
        resp.body.destroy();
        return 'client_closed';
      }
    }
    for (const ev of splitter.flush()) await take(decoder.push(ev.event, ev.data));
    await take(decoder.end());
    await flushBatch();
    if (raceLost) return 'lost';
  } catch (err) {
    if (!committed && lost()) return 'lost';
    const failure = classifyTransportError(err, ctx.provider ?? 'upstream');
    if ((failure.errorClass === 'client_closed' && !guard.reason) || res.destroyed) return 'client_closed';
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
    await flushBatch();
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
    if (!commit()) return 'lost';
    if (startUsage) ctx.usage = startUsage;
  }
  res.end(failed ? '' : encoder.end());
  return 'done';
}

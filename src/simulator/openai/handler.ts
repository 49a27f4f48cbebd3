/** Request handlers for the OpenAI Chat Completions API surface. */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { FaultPlan } from '../faults.js';
import { applyPreFaults, pumpFrames, sendBody, sendJson, type Exchange, type FaultAdapter } from '../http.js';
import { implicitCacheRead } from '../implicit-cache.js';
import { base62 } from '../rng.js';
import { sendReplay } from '../replay.js';
import type { SimState } from '../state.js';
import { tokensForChars } from '../tokens.js';
import { generateTurn, outputTokens, turnFromScript } from '../turn.js';
import type { OpenAIReasoningField } from '../types.js';
import { completionId, encodeCompletion, finishReason, fingerprint, openaiBlocks, requestId, streamFrames, type CompletionParts } from './encode.js';
import {
  errorObject,
  errorResponse,
  faultKind,
  NO_KEY_MESSAGE,
  streamErrorFrame,
  streamErrorStatus,
  type OpenAIError,
} from './errors.js';
import { findModel, MODELS_PAGE } from './models.js';
import { checkChatBody, isObject, promptSize, toTurnRequest } from './request.js';
import { buildUsage } from './usage.js';

const STREAM_HEADERS: OutgoingHttpHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
const JSON_HEADERS: OutgoingHttpHeaders = { 'content-type': 'application/json' };
/** OpenAI caches prompt prefixes of at least 1024 tokens, reported in 128-token steps. */
const CACHE_RULE = { minTokens: 1024, granularity: 128 };
const MALFORMED_FRAME = 'data: {"id":"chatcmpl-malformed","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"unterminat\n\n';

interface Ctx {
  headers: OutgoingHttpHeaders;
  adapter: FaultAdapter;
}

function context(state: SimState): Ctx {
  const rid = requestId(state.idRng);
  const headers: OutgoingHttpHeaders = { 'x-request-id': rid, 'openai-version': '2020-10-01' };
  if (state.label) headers['x-sim-label'] = state.label;
  const adapter: FaultAdapter = {
    statusFault: (_x, f) => {
      const kind = faultKind(f.status, f.errorType);
      return errorResponse(f.status, headers, errorObject(kind, f.message), { body: f.body, retryAfter: f.retryAfter });
    },
    streamErrorFrame: (_x, type) => streamErrorFrame(type),
    streamErrorStatus,
    malformedFrame: () => MALFORMED_FRAME,
  };
  return { headers, adapter };
}

function sendError(x: Exchange, c: Ctx, status: number, e: OpenAIError): void {
  const r = errorResponse(status, c.headers, e);
  sendJson(x.res, r.status, r.headers, r.body);
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

/** 401 without a Bearer token, as the API answers. Returns true when it answered. */
function rejectAuth(x: Exchange, c: Ctx): boolean {
  if (/^bearer\s+\S/i.test(header(x.req.headers, 'authorization').trim())) return false;
  sendError(x, c, 401, { message: NO_KEY_MESSAGE, type: 'invalid_request_error', param: null, code: null });
  return true;
}

interface Preamble {
  c: Ctx;
  plan: FaultPlan;
  parsed: unknown;
}

async function preamble(x: Exchange, withBody: boolean): Promise<Preamble | undefined> {
  const c = context(x.state);
  let parsed: unknown;
  let parseFailed = false;
  if (withBody) {
    try {
      parsed = JSON.parse(x.body.toString('utf8'));
    } catch {
      parseFailed = true;
    }
    if (isObject(parsed)) {
      if (typeof parsed.model === 'string') x.log.model = parsed.model;
      x.log.stream = parsed.stream === true;
    }
  }
  const plan = x.state.faults.plan({ model: x.log.model, path: x.path, stream: x.log.stream });
  if (plan.label) x.log.fault = plan.label;
  if (await applyPreFaults(x, plan, c.adapter)) return undefined;
  if (rejectAuth(x, c)) return undefined;
  if (parseFailed) {
    sendError(x, c, 400, {
      message:
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
        'The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, ' +
        'please visit https://community.openai.com/.)',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    return undefined;
  }
  return { c, plan, parsed };
}

function reasoningField(x: Exchange): OpenAIReasoningField {
  const h = header(x.req.headers, 'x-sim-reasoning-field').trim();
  return h === 'reasoning' || h === 'reasoning_content' ? h : x.state.openaiReasoningField;
}

export async function handleChat(x: Exchange): Promise<void> {
  const p = await preamble(x, true);
  if (!p) return;
  const { c, plan } = p;
  const checked = checkChatBody(p.parsed);
  if (!checked.ok) {
    const { message, param, code } = checked.error;
    return sendError(x, c, 400, { message, type: 'invalid_request_error', param, code });
  }
  const req = checked.value;

  const st = x.state;
  // A faulted response does not use up a replay or a scripted turn: the retry gets it.
  const replay = st.replays.take({ protocol: 'openai', model: req.model, path: x.path, stream: req.stream }, plan.terminal !== undefined);
  if (replay) return sendReplay(x, replay, { protocol: 'openai', stream: req.stream, headers: c.headers, plan, adapter: c.adapter });
  const size = promptSize(req);
  const cached = Math.min(implicitCacheRead(st.prefixCache, `openai\u0000${req.model}`, size.segments, CACHE_RULE), size.tokens);
  const treq = toTurnRequest(req, st.label);
  const scripted = st.scripts.take(req.model, plan.terminal !== undefined);
  const turn = scripted ? turnFromScript(scripted, treq) : generateTurn(treq);
  const blocks = openaiBlocks(turn, st.idRng);
  let reasoningChars = 0;
  for (const b of blocks) if (b.type === 'reasoning') reasoningChars += b.text.length;
  const usage = buildUsage(
    { promptTokens: size.tokens, cachedTokens: cached, outputTokens: outputTokens(turn), reasoningTokens: tokensForChars(reasoningChars) },
    turn.usage,
  );
  const parts: CompletionParts = {
    id: completionId(st.idRng),
    created: Math.floor(Date.now() / 1000),
    model: req.model,
    fingerprint: fingerprint(req.model),
    blocks,
    finishReason: finishReason(turn.stopReason),
    usage,
    reasoningField: reasoningField(x),
  };
  if (req.stream) {
    x.res.writeHead(200, { ...c.headers, ...STREAM_HEADERS });
    const obfuscation = req.includeObfuscation ? () => base62(st.idRng, 1 + Math.floor(st.idRng() * 15)) : undefined;
    await pumpFrames(x, streamFrames(parts, { includeUsage: req.includeUsage, obfuscation }), plan, c.adapter);
    return;
  }
  await sendBody(x, 200, { ...c.headers, ...JSON_HEADERS }, encodeCompletion(parts), plan, c.adapter);
}

export async function handleModels(x: Exchange): Promise<void> {
  const p = await preamble(x, false);
  if (!p) return;
  await sendBody(x, 200, { ...p.c.headers, ...JSON_HEADERS }, MODELS_PAGE, p.plan, p.c.adapter);
}

export async function handleModel(x: Exchange): Promise<void> {
  const p = await preamble(x, false);
  if (!p) return;
  let id = x.path.slice('/v1/models/'.length);
  try {
    id = decodeURIComponent(id);
  } catch {
    // keep the raw segment
  }
  const m = findModel(id);
  if (!m) {
    return sendError(x, p.c, 404, {
      message: `The model '${id}' does not exist`,
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
    });
  }
  await sendBody(x, 200, { ...p.c.headers, ...JSON_HEADERS }, JSON.stringify(m, null, 2), p.plan, p.c.adapter);
}

/** Error in OpenAI shape outside a handler (unknown route, oversize body). */
export function sendOpenAIError(x: Exchange, status: number, message?: string): void {
  const e =
    status === 404
      ? { message: `Invalid URL (${x.method} ${x.path})`, type: 'invalid_request_error', param: null, code: null }
      : errorObject(faultKind(status, undefined), message);
  sendError(x, context(x.state), status, e);
}

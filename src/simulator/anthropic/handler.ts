/** Request handlers for the Anthropic Messages API surface. */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { FaultPlan } from '../faults.js';
import { applyPreFaults, pumpFrames, sendBody, sendJson, type Exchange, type FaultAdapter } from '../http.js';
import { sendReplay } from '../replay.js';
import type { SimState } from '../state.js';
import { generateTurn, outputTokens, turnFromScript } from '../turn.js';
import { defaultMessage, errorResponse, statusForErrorType } from './errors.js';
import { encodeMessage, messageId, requestId, streamFrames, wireBlocks, type MessageParts } from './encode.js';
import { findModel, modelsPage } from './models.js';
import { analyzePrompt, checkMessagesBody, isObject, toTurnRequest } from './request.js';
import { buildUsage, inputUsage, promptTokens } from './usage.js';

/** Any date-shaped version is accepted (SDKs move on: 2023-06-01, 2026-10-21, ...). */
const VERSION_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const STREAM_HEADERS: OutgoingHttpHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/** Per-request context: request id, common headers and the fault adapter bound to them. */
interface Ctx {
  rid: string;
  headers: OutgoingHttpHeaders;
  adapter: FaultAdapter;
}

function context(state: SimState): Ctx {
  const rid = requestId(state.idRng);
  const headers: OutgoingHttpHeaders = state.label ? { 'request-id': rid, 'x-sim-label': state.label } : { 'request-id': rid };
  const adapter: FaultAdapter = {
    statusFault: (_x, f) =>
      errorResponse(f.status, rid, headers, { type: f.errorType, message: f.message, body: f.body, retryAfter: f.retryAfter }),
    streamErrorFrame: (_x, type) => {
      const t = type ?? 'overloaded_error';
      return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: t, message: defaultMessage(t) } })}\n\n`;
    },
    streamErrorStatus: (type) => statusForErrorType(type ?? 'overloaded_error'),
    malformedFrame: () => 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\n',
  };
  return { rid, headers, adapter };
}

function sendError(x: Exchange, c: Ctx, status: number, message?: string, type?: string): void {
  const e = errorResponse(status, c.rid, c.headers, { message, type });
  sendJson(x.res, e.status, e.headers, e.body);
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

/** 401/400 for missing credentials or version, as the API does. Returns true when it answered. */
function rejectHeaders(x: Exchange, c: Ctx): boolean {
  const h = x.req.headers;
  const key = header(h, 'x-api-key').trim();
  const auth = header(h, 'authorization').trim();
  const bearer = /^bearer\s+\S/i.test(auth);
  if (!key && !bearer) {
    sendError(x, c, 401, auth ? 'invalid x-api-key' : 'x-api-key header is required');
    return true;
  }
  const version = header(h, 'anthropic-version').trim();
  if (!version) {
    sendError(x, c, 400, 'anthropic-version: header is required');
    return true;
  }
  if (!VERSION_SHAPE.test(version)) {
    sendError(x, c, 400, `anthropic-version: ${JSON.stringify(version)} is not a valid version`);
    return true;
  }
  return false;
}

interface Preamble {
  c: Ctx;
  plan: FaultPlan;
  parsed: unknown;
  parseError?: string;
}

/** Parse, pick faults, apply the early ones, check headers. Undefined when the exchange is finished. */
async function preamble(x: Exchange, withBody: boolean): Promise<Preamble | undefined> {
  const c = context(x.state);
  let parsed: unknown;
  let parseError: string | undefined;
  if (withBody) {
    try {
      parsed = JSON.parse(x.body.toString('utf8'));
    } catch (e) {
      parseError = (e as Error).message;
    }
    if (isObject(parsed)) {
      if (typeof parsed.model === 'string') x.log.model = parsed.model;
      x.log.stream = parsed.stream === true;
    }
  }
  const plan = x.state.faults.plan({ model: x.log.model, path: x.path, stream: x.log.stream });
  if (plan.label) x.log.fault = plan.label;
  if (await applyPreFaults(x, plan, c.adapter)) return undefined;
  if (rejectHeaders(x, c)) return undefined;
  if (withBody && parseError !== undefined) {
    sendError(x, c, 400, `The request body is not valid JSON: ${parseError}`);
    return undefined;
  }
  return { c, plan, parsed, parseError };
}

export async function handleMessages(x: Exchange): Promise<void> {
  const p = await preamble(x, true);
  if (!p) return;
  const { c, plan } = p;
  const checked = checkMessagesBody(p.parsed, { countTokens: false, betas: header(x.req.headers, 'anthropic-beta') });
  if (!checked.ok) return sendError(x, c, 400, checked.message);
  const req = checked.value;
  const analysis = analyzePrompt(req, x.body.includes('"cache_control"'));
  if (!analysis.ok) return sendError(x, c, 400, analysis.message);

  const st = x.state;
  // A faulted response does not use up a replay or a scripted turn: the retry gets it.
  const replay = st.replays.take({ protocol: 'anthropic', model: req.model, path: x.path, stream: req.stream }, plan.terminal !== undefined);
  if (replay) return sendReplay(x, replay, { protocol: 'anthropic', stream: req.stream, headers: c.headers, plan, adapter: c.adapter });
  const treq = toTurnRequest(req, st.label);
  const scripted = st.scripts.take(req.model, plan.terminal !== undefined);
  const turn = scripted ? turnFromScript(scripted, treq) : generateTurn(treq);
  const blocks = wireBlocks(turn, st.idRng);
  const usage = buildUsage(inputUsage(analysis.value, st.prefixCache), outputTokens(turn), turn.usage);
  const parts: MessageParts = {
    id: messageId(st.idRng),
    model: req.model,
    blocks,
    stopReason: turn.stopReason,
    stopSequence: turn.stopSequence,
    usage,
  };
  if (req.stream) {
    x.res.writeHead(200, { ...c.headers, ...STREAM_HEADERS });
    await pumpFrames(x, streamFrames(parts), plan, c.adapter);
    return;
  }
  await sendBody(x, 200, { ...c.headers, 'content-type': 'application/json' }, encodeMessage(parts), plan, c.adapter);
}

export async function handleCountTokens(x: Exchange): Promise<void> {
  const p = await preamble(x, true);
  if (!p) return;
  const { c, plan } = p;
  const checked = checkMessagesBody(p.parsed, { countTokens: true, betas: '' });
  if (!checked.ok) return sendError(x, c, 400, checked.message);
  const analysis = analyzePrompt(checked.value, false);
  if (!analysis.ok) return sendError(x, c, 400, analysis.message);
  const body = `{"input_tokens":${promptTokens(analysis.value)}}`;
  await sendBody(x, 200, { ...c.headers, 'content-type': 'application/json' }, body, plan, c.adapter);
}

export async function handleModels(x: Exchange): Promise<void> {
  const p = await preamble(x, false);
  if (!p) return;
  await sendBody(x, 200, { ...p.c.headers, 'content-type': 'application/json' }, modelsPage(x.query), p.plan, p.c.adapter);
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
  if (!m) return sendError(x, p.c, 404, `model: ${id}`);
  await sendBody(x, 200, { ...p.c.headers, 'content-type': 'application/json' }, JSON.stringify(m), p.plan, p.c.adapter);
}

/** Error in Anthropic shape outside a handler (unknown route, oversize body). */
export function sendAnthropicError(x: Exchange, status: number, message?: string): void {
  sendError(x, context(x.state), status, message);
}

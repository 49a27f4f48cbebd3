/** Request handlers for the Gemini API surface (`/v1beta/models/...`). */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { FaultPlan } from '../faults.js';
import { applyPreFaults, pumpFrames, sendBody, sendJson, type Exchange, type FaultAdapter } from '../http.js';
import { implicitCacheRead } from '../implicit-cache.js';
import { sendReplay } from '../replay.js';
import type { SimState } from '../state.js';
import { generateTurn, turnFromScript } from '../turn.js';
import {
  encodeResponse,
  geminiTurn,
  googleJson,
  responseId,
  streamChunks,
  streamFrames,
  usageCounts,
  type StreamMode,
  type StreamProgress,
} from './encode.js';
import { errorObject, errorResponse, faultKind, invalidArgument, STATUS_KINDS, streamErrorStatus, UNREGISTERED_MESSAGE, type GoogleError } from './errors.js';
import { findModel, modelsPage } from './models.js';
import { COUNT_TOKENS_REQUEST, field, GENERATE_CONTENT_REQUEST, parseMessage, type MessageSpec } from './proto.js';
import { checkGenerateBody, includeThoughts, isObject, promptSize, toTurnRequest, type Json } from './request.js';

export type Operation = 'generateContent' | 'streamGenerateContent' | 'countTokens';

/** `/v1beta/models/{model}:{operation}` (also the stable `/v1`); the model segment may be URL-encoded. */
export const OPERATION_PATH = /^\/(?:v1beta|v1)\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;

const JSON_TYPE = 'application/json; charset=UTF-8';
/** Gemini 2.5+ caches implicitly from about 1024 prompt tokens and reports the exact cached count. */
const CACHE_RULE = { minTokens: 1024, granularity: 1 };

interface Ctx {
  headers: OutgoingHttpHeaders;
  adapter: FaultAdapter;
  progress: StreamProgress;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function context(state: SimState, mode: StreamMode, model: string | undefined): Ctx {
  const headers: OutgoingHttpHeaders = state.label ? { 'x-sim-label': state.label } : {};
  const progress: StreamProgress = { opened: false };
  // In the JSON-array stream an element follows `[` or `,`; a fault frame may be the first one.
  const sep = (): string => (progress.opened ? ',\r\n' : '[');
  const errorFrame = (e: GoogleError): string =>
    mode === 'sse' ? `data: ${googleJson({ error: e })}\r\n\r\n` : `${sep()}${JSON.stringify({ error: e }, null, 2)}\n]`;
  const adapter: FaultAdapter = {
    statusFault: (_x, f) => errorResponse(headers, errorObject(faultKind(f.status, f.errorType), { message: f.message, retryAfter: f.retryAfter, model }), f.body),
    streamErrorFrame: (_x, type) => errorFrame(errorObject(faultKind(undefined, type ?? 'UNAVAILABLE'))),
    streamErrorStatus,
    malformedFrame: () =>
      mode === 'sse'
        ? 'data: {"candidates": [{"content": {"parts": [{"text": "unterminat\r\n\r\n'
        : `${sep()}{\n  "candidates": [\n    {\n      "content": {\n        "parts": [\n          {\n            "text": "unterminat`,
  };
  return { headers, adapter, progress };
}

function sendError(x: Exchange, c: Ctx, e: GoogleError): void {
  const r = errorResponse(c.headers, e);
  sendJson(x.res, r.status, r.headers, r.body);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** No key: 403 "unregistered callers"; an empty key: 400 API_KEY_INVALID. Returns true when it answered. */
function rejectAuth(x: Exchange, c: Ctx): boolean {
  const key = header(x.req.headers, 'x-goog-api-key') ?? new URLSearchParams(x.query).get('key') ?? undefined;
  if (key === undefined) {
    sendError(x, c, errorObject(STATUS_KINDS.PERMISSION_DENIED, { message: UNREGISTERED_MESSAGE }));
    return true;
  }
  if (key.trim() === '') {
    sendError(x, c, errorObject(STATUS_KINDS.API_KEY_INVALID));
    return true;
  }
  return false;
}

interface Preamble {
  c: Ctx;
  plan: FaultPlan;
  parsed: unknown;
  model: string;
}

async function preamble(x: Exchange, model: string, op: Operation | undefined, spec: MessageSpec | undefined): Promise<Preamble | undefined> {
  const stream = op === 'streamGenerateContent';
  const mode: StreamMode = new URLSearchParams(x.query).get('alt') === 'sse' ? 'sse' : 'array';
  const c = context(x.state, mode, model);
  if (op !== undefined) {
    x.log.model = model;
    x.log.stream = stream;
  }
  let parsed: unknown;
  let parseError: string | undefined;
  if (spec) {
    try {
      parsed = JSON.parse(x.body.toString('utf8'));
    } catch (e) {
      parseError = (e as Error).message;
    }
  }
  const plan = x.state.faults.plan({ model: op !== undefined ? model : undefined, path: x.path, stream });
  if (plan.label) x.log.fault = plan.label;
  if (await applyPreFaults(x, plan, c.adapter)) return undefined;
  if (rejectAuth(x, c)) return undefined;
  if (spec) {
    if (parseError !== undefined) {
      sendError(x, c, invalidArgument(`Invalid JSON payload received. ${parseError}`));
      return undefined;
    }
    const errors = parseMessage(parsed, spec);
    if (errors.length > 0) {
      const violations = errors.map((description) => {
        const m = /at '([^']+)'/.exec(description);
        return m ? { field: m[1], description } : { description };
      });
      sendError(x, c, invalidArgument(errors.join('\n'), violations));
      return undefined;
    }
  }
  return { c, plan, parsed, model };
}

export async function handleOperation(x: Exchange): Promise<void> {
  const m = OPERATION_PATH.exec(x.path);
  if (!m) return;
  const model = decode(m[1]);
  const op = m[2] as Operation;
  if (op === 'countTokens') return countTokens(x, model);
  const p = await preamble(x, model, op, GENERATE_CONTENT_REQUEST);
  if (!p) return;
  const { c, plan } = p;
  const checked = checkGenerateBody(p.parsed as Json, model, { countOnly: false });
  if (!checked.ok) return sendError(x, c, invalidArgument(checked.message));
  const req = checked.value;

  const st = x.state;
  const stream = op === 'streamGenerateContent';
  // A faulted response does not use up a replay or a scripted turn: the retry gets it.
  const replay = st.replays.take({ protocol: 'gemini', model, path: x.path, stream }, plan.terminal !== undefined);
  if (replay) {
    const geminiMode: StreamMode = new URLSearchParams(x.query).get('alt') === 'sse' ? 'sse' : 'array';
    return sendReplay(x, replay, { protocol: 'gemini', stream, geminiMode, progress: c.progress, headers: c.headers, plan, adapter: c.adapter });
  }
  const size = promptSize(req);
  const cached = Math.min(implicitCacheRead(st.prefixCache, `gemini\u0000${model}`, size.segments, CACHE_RULE), size.tokens);
  const treq = toTurnRequest(req, st.label);
  const scripted = st.scripts.take(model, plan.terminal !== undefined);
  const turn = scripted ? turnFromScript(scripted, treq) : generateTurn(treq);
  const g = geminiTurn(turn, model, includeThoughts(req));
  const usage = usageCounts(g, size.tokens, cached, turn.usage);
  const meta = { model, responseId: responseId(st.idRng) };
  if (op === 'streamGenerateContent') {
    const mode: StreamMode = new URLSearchParams(x.query).get('alt') === 'sse' ? 'sse' : 'array';
    const type = mode === 'sse' ? 'text/event-stream' : JSON_TYPE;
    x.res.writeHead(200, { ...c.headers, 'content-type': type, 'cache-control': 'no-cache' });
    await pumpFrames(x, streamFrames(streamChunks(g, usage, meta), mode, c.progress), plan, c.adapter);
    return;
  }
  await sendBody(x, 200, { ...c.headers, 'content-type': JSON_TYPE }, encodeResponse(g, usage, meta), plan, c.adapter);
}

async function countTokens(x: Exchange, model: string): Promise<void> {
  const p = await preamble(x, model, 'countTokens', COUNT_TOKENS_REQUEST);
  if (!p) return;
  const body = p.parsed as Json;
  const inner = field(body, 'generateContentRequest');
  const request: Json = isObject(inner) ? inner : { contents: body.contents };
  const checked = checkGenerateBody(request, model, { countOnly: true });
  if (!checked.ok) return sendError(x, p.c, invalidArgument(checked.message.replaceAll('GenerateContentRequest.', 'CountTokensRequest.')));
  const tokens = promptSize(checked.value).tokens;
  const out = `${JSON.stringify({ totalTokens: tokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: tokens }] }, null, 2)}\n`;
  await sendBody(x, 200, { ...p.c.headers, 'content-type': JSON_TYPE }, out, p.plan, p.c.adapter);
}

export async function handleModels(x: Exchange): Promise<void> {
  const p = await preamble(x, '', undefined, undefined);
  if (!p) return;
  await sendBody(x, 200, { ...p.c.headers, 'content-type': JSON_TYPE }, modelsPage(x.query), p.plan, p.c.adapter);
}

export async function handleModel(x: Exchange): Promise<void> {
  const p = await preamble(x, '', undefined, undefined);
  if (!p) return;
  const id = decode(x.path.slice(x.path.indexOf('/models/') + '/models/'.length));
  const m = findModel(id);
  if (!m) {
    const name = id.startsWith('models/') ? id : `models/${id}`;
    return sendError(x, p.c, errorObject(STATUS_KINDS.NOT_FOUND, { message: `${name} is not found for API version v1beta.` }));
  }
  await sendBody(x, 200, { ...p.c.headers, 'content-type': JSON_TYPE }, `${JSON.stringify(m, null, 2)}\n`, p.plan, p.c.adapter);
}

/** Error in Gemini shape outside a handler (unknown route, oversize body). */
export function sendGeminiError(x: Exchange, status: number, message?: string): void {
  const c = context(x.state, 'sse', undefined);
  if (status === 413) {
    sendError(x, c, invalidArgument('Request payload size exceeds the limit: 33554432 bytes.'));
    return;
  }
  sendError(x, c, errorObject(faultKind(status, undefined), { message }));
}

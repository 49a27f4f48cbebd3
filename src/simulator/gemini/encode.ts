/**
 * Gemini encoding of a turn: the `GenerateContentResponse` JSON and its streamed chunks, with the
 * part layout, thought-signature placement, usage fields and framing of the recorded API traffic.
 */
import { groupPieces, splitText } from '../chunking.js';
import type { Frame } from '../http.js';
import type { Rng } from '../rng.js';
import { tokensForChars } from '../tokens.js';
import { makeSignature, type Turn } from '../turn.js';
import type { ScriptedUsage, StopReason } from '../types.js';
import { isGemini3 } from './request.js';

type Json = Record<string, unknown>;

type Answer = { kind: 'text'; text: string } | { kind: 'call'; name: string; args: unknown };

/** A turn in Gemini terms: shown thoughts, answer parts, the one thought signature and token counts. */
export interface GeminiTurn {
  thoughts: string[];
  answer: Answer[];
  /** Goes on the first functionCall part, or else on the last part (an empty text part in streams). */
  signature?: string;
  thoughtsTokens: number;
  candidatesTokens: number;
  finishReason: 'STOP' | 'MAX_TOKENS';
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function responseId(rng: Rng): string {
  let s = '';
  for (let i = 0; i < 23; i++) s += B64URL[Math.floor(rng() * 64)];
  return s;
}

/** A Gemini turn never reports a tool-call finish reason: function-calling turns end with STOP. */
function finishReasonOf(stop: StopReason): 'STOP' | 'MAX_TOKENS' {
  return stop === 'max_tokens' ? 'MAX_TOKENS' : 'STOP';
}

function answerChars(a: Answer): number {
  return a.kind === 'text' ? a.text.length : a.name.length + (JSON.stringify(a.args) ?? '').length;
}

/**
 * `showThoughts` is the request's `includeThoughts`; hidden thinking is still billed as thoughts.
 * Signatures, as recorded: Gemini 3 always signs its function calls, and signs other answers when it
 * thought; other thinking models sign when they thought and either show thoughts or call functions.
 * A scripted thinking block's signature is always used as is, so tests can check it is replayed.
 */
export function geminiTurn(turn: Turn, model: string, showThoughts: boolean): GeminiTurn {
  const thoughts: string[] = [];
  const answer: Answer[] = [];
  let thinkingChars = 0;
  let thinking = false;
  let scriptedSignature: string | undefined;
  let firstSignature: string | undefined;
  for (const b of turn.content) {
    if (b.type === 'thinking') {
      thinking = true;
      thinkingChars += b.thinking.length;
      if (showThoughts && b.thinking !== '') thoughts.push(b.thinking);
      // generated thinking carries a made-up signature too; only a script's own one overrides the rules below
      if (turn.source === 'script') scriptedSignature ??= b.signature;
      firstSignature ??= b.signature;
    } else if (b.type === 'text') {
      answer.push({ kind: 'text', text: b.text });
    } else if (b.type === 'tool_use') {
      answer.push({ kind: 'call', name: b.name, args: typeof b.input === 'object' && b.input !== null && !Array.isArray(b.input) ? b.input : {} });
    }
  }
  let chars = 0;
  for (const a of answer) chars += answerChars(a);
  const calls = answer.some((a) => a.kind === 'call');
  const signed = scriptedSignature !== undefined || (isGemini3(model) ? calls || thinking : thinking && (showThoughts || calls));
  return {
    thoughts,
    answer,
    signature: signed ? (firstSignature ?? makeSignature(`${model}\n${JSON.stringify(answer)}`)) : undefined,
    thoughtsTokens: tokensForChars(thinkingChars),
    candidatesTokens: chars > 0 ? tokensForChars(chars) : 0,
    finishReason: finishReasonOf(turn.stopReason),
  };
}

export interface UsageCounts {
  prompt: number;
  cached: number;
  candidates: number;
  thoughts: number;
}

/** Counts with scripted overrides (Anthropic vocabulary: output includes thoughts; prompt includes cache). */
export function usageCounts(g: GeminiTurn, promptTokens: number, cachedTokens: number, o: Partial<ScriptedUsage>): UsageCounts {
  const cached = o.cache_read_input_tokens ?? cachedTokens;
  const input = o.input_tokens ?? Math.max(0, promptTokens - cachedTokens);
  const prompt = input + cached + (o.cache_creation_input_tokens ?? 0);
  let thoughts = g.thoughtsTokens;
  let candidates = g.candidatesTokens;
  if (o.output_tokens !== undefined) {
    thoughts = Math.min(thoughts, o.output_tokens);
    candidates = o.output_tokens - thoughts;
  }
  return { prompt, cached, candidates, thoughts };
}

/** usageMetadata in the API's field order; zero counts are omitted, as proto3 JSON does. */
export function usageMetadata(u: UsageCounts): Json {
  const m: Json = { promptTokenCount: u.prompt };
  if (u.candidates > 0) m.candidatesTokenCount = u.candidates;
  m.totalTokenCount = u.prompt + u.candidates + u.thoughts;
  if (u.cached > 0) m.cachedContentTokenCount = u.cached;
  m.promptTokensDetails = [{ modality: 'TEXT', tokenCount: u.prompt }];
  if (u.cached > 0) m.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: u.cached }];
  if (u.thoughts > 0) m.thoughtsTokenCount = u.thoughts;
  return m;
}

function answerPart(a: Answer): Json {
  return a.kind === 'text' ? { text: a.text } : { functionCall: { name: a.name, args: a.args } };
}

function withSignature(part: Json, signature: string | undefined): Json {
  return signature === undefined ? part : { ...part, thoughtSignature: signature };
}

/** The non-stream answer parts, signature placed on the first call or else the last part. */
export function responseParts(g: GeminiTurn): Json[] {
  const parts: Json[] = g.thoughts.map((t) => ({ text: t, thought: true }));
  const firstCall = g.answer.findIndex((a) => a.kind === 'call');
  g.answer.forEach((a, i) => {
    const sign = firstCall >= 0 ? i === firstCall : i === g.answer.length - 1;
    parts.push(withSignature(answerPart(a), sign ? g.signature : undefined));
  });
  // Nothing to say (e.g. thinking used up maxOutputTokens): an empty text part, as in the recorded streams.
  if (g.answer.length === 0) parts.push(withSignature({ text: '' }, g.signature));
  return parts;
}

function content(parts: Json[]): Json {
  return { parts, role: 'model' };
}

export interface ResponseMeta {
  model: string;
  responseId: string;
}

export function encodeResponse(g: GeminiTurn, u: UsageCounts, meta: ResponseMeta): string {
  const candidate: Json = { content: content(responseParts(g)), finishReason: g.finishReason, index: 0 };
  if (g.answer.some((a) => a.kind === 'call')) candidate.finishMessage = 'Model generated function call(s).';
  return `${JSON.stringify({ candidates: [candidate], usageMetadata: usageMetadata(u), modelVersion: meta.model, responseId: meta.responseId }, null, 2)}\n`;
}

const HTML_UNSAFE: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026' };

/** A JSON string with `<`, `>` and `&` escaped, as Google's serialiser writes them. */
function googleString(s: string): string {
  const json = JSON.stringify(s);
  return /[<>&]/.test(json) ? json.replace(/[<>&]/g, (c) => HTML_UNSAFE[c]) : json;
}

/**
 * JSON as the streaming endpoint writes it: `": "` after keys, bare `,` between members
 * (`{"candidates": [{"content": {"parts": [...],"role": "model"},"index": 0}],...}`), HTML-safe strings.
 */
export function googleJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => googleJson(x === undefined ? null : x)).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const members: string[] = [];
    for (const [k, x] of Object.entries(v as Json)) if (x !== undefined) members.push(`${googleString(k)}: ${googleJson(x)}`);
    return `{${members.join(',')}}`;
  }
  return typeof v === 'string' ? googleString(v) : (JSON.stringify(v) ?? 'null');
}

/** `alt=sse` frames `data: <chunk>\r\n\r\n`; without it the endpoint streams one JSON array. */
export type StreamMode = 'sse' | 'array';

/** Words per streamed text chunk: Gemini sends larger pieces than the per-token deltas of other APIs. */
const PIECES_PER_CHUNK = 3;

function chunkObject(parts: Json[], usage: Json, meta: ResponseMeta, finishReason?: string): Json {
  const candidate: Json = { content: content(parts) };
  if (finishReason) candidate.finishReason = finishReason;
  candidate.index = 0;
  return { candidates: [candidate], usageMetadata: usage, modelVersion: meta.model, responseId: meta.responseId };
}

/** The chunk objects of a streamed response, lazily, with running usage totals. */
export function* streamChunks(g: GeminiTurn, u: UsageCounts, meta: ResponseMeta): Generator<Json> {
  const running = (thoughtChars: number | null, answerChars: number): Json =>
    usageMetadata({
      prompt: u.prompt,
      cached: u.cached,
      thoughts: thoughtChars === null ? u.thoughts : Math.min(u.thoughts, tokensForChars(thoughtChars)),
      candidates: Math.min(u.candidates, tokensForChars(answerChars)),
    });
  let thoughtChars = 0;
  for (const t of g.thoughts) {
    for (const piece of groupPieces(splitText(t), PIECES_PER_CHUNK)) {
      thoughtChars += piece.length;
      yield chunkObject([{ text: piece, thought: true }], running(thoughtChars, 0), meta);
    }
  }
  let answered = 0;
  const firstCall = g.answer.findIndex((a) => a.kind === 'call');
  for (let i = 0; i < g.answer.length; i++) {
    const a = g.answer[i];
    if (a.kind === 'call') {
      answered += answerChars(a);
      yield chunkObject([withSignature(answerPart(a), i === firstCall ? g.signature : undefined)], running(null, answered), meta);
      continue;
    }
    for (const piece of groupPieces(splitText(a.text), PIECES_PER_CHUNK)) {
      answered += piece.length;
      yield chunkObject([{ text: piece }], running(null, answered), meta);
    }
  }
  // The last chunk carries finishReason and the final usage; a text answer's signature rides on its empty part.
  yield chunkObject([withSignature({ text: '' }, firstCall < 0 ? g.signature : undefined)], usageMetadata(u), meta, g.finishReason);
}

/** `opened` tells fault frames whether the JSON array's `[` went out already. */
export interface StreamProgress {
  opened: boolean;
}

export function* streamFrames(chunks: Iterable<Json>, mode: StreamMode, progress: StreamProgress = { opened: false }): Generator<Frame> {
  for (const c of chunks) {
    const first = !progress.opened;
    if (mode === 'sse') yield first ? { text: `data: ${googleJson(c)}\r\n\r\n`, firstToken: true } : { text: `data: ${googleJson(c)}\r\n\r\n` };
    else yield first ? { text: `[${JSON.stringify(c, null, 2)}`, firstToken: true } : { text: `,\r\n${JSON.stringify(c, null, 2)}` };
    // Resumed only once the consumer sent that frame (a fault may stop it before).
    progress.opened = true;
  }
  if (mode === 'array') yield { text: progress.opened ? '\n]' : '[]' };
}

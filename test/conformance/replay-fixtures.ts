/**
 * Recorded provider responses (`shared/fixtures/recorded/`) as replay cases: what the simulator should send, and the
 * outcome a client must see, folded here from the recording itself (never through Switchyard's codecs):
 * text concatenated, tool calls (name + parsed arguments, in order), stop reason mapped per wire-formats 5.9.1 and
 * usage per 5.9.2, in each client format's own terms.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { ReplayResponse } from '../../src/simulator/index.js';

export const FIXTURES_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/fixtures/recorded');

export type Wire = 'anthropic' | 'openai' | 'gemini';
export type Json = Record<string, unknown>;

export interface ToolCall {
  name: string;
  input: unknown;
}

export interface AnthropicUsage {
  input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  output_tokens: number;
}

export interface OpenAIUsage {
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
}

export interface Expected {
  text: string;
  tools: ToolCall[];
  stop: { anthropic: string; openai: string };
  /** Null when the recording reports no usage (nothing to carry through). */
  usage: { anthropic: AnthropicUsage; openai: OpenAIUsage } | null;
}

export interface ReplayCase {
  /** File name, plus `#<interaction>` for cassettes and `#attempt<n>` for the multi-attempt JSON. */
  id: string;
  wire: Wire;
  stream: boolean;
  /** The model the recording names (response first, then request). */
  model: string;
  response: ReplayResponse;
  expected: Expected;
}

export interface SkippedCase {
  id: string;
  reason: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Small readers

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

/** The `data:` payloads of raw SSE text (multi-line data joined), without OpenAI's `[DONE]`. */
export function ssePayloads(text: string): string[] {
  const out: string[] = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''));
    if (data.length === 0) continue;
    const payload = data.join('\n');
    if (payload.trim() !== '[DONE]') out.push(payload);
  }
  return out;
}

function parseAll(payloads: string[]): Json[] {
  return payloads.map((p) => JSON.parse(p) as Json);
}

// ---------------------------------------------------------------------------------------------------------------
// Stop reasons (wire-formats 5.9.1)

const ANTHROPIC_TO_OPENAI: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
  pause_turn: 'stop',
  model_context_window_exceeded: 'length',
};

const OPENAI_TO_ANTHROPIC: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

const GEMINI_REFUSAL = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'LANGUAGE']);

function fromAnthropicStop(stop: string): Expected['stop'] {
  return { anthropic: stop, openai: ANTHROPIC_TO_OPENAI[stop] ?? 'stop' };
}

function fromOpenAIFinish(finish: string): Expected['stop'] {
  return { anthropic: OPENAI_TO_ANTHROPIC[finish] ?? 'end_turn', openai: finish };
}

function fromGeminiFinish(finish: string, calls: boolean): Expected['stop'] {
  let anthropic = 'end_turn';
  if (finish === 'MAX_TOKENS') anthropic = 'max_tokens';
  else if (GEMINI_REFUSAL.has(finish) || finish.startsWith('IMAGE_')) anthropic = 'refusal';
  else if (calls && (finish === 'STOP' || finish === 'FINISH_REASON_UNSPECIFIED' || finish === 'OTHER')) anthropic = 'tool_use';
  return { anthropic, openai: ANTHROPIC_TO_OPENAI[anthropic] };
}

// ---------------------------------------------------------------------------------------------------------------
// Usage (wire-formats 5.9.2). Each source gives the Anthropic view; OpenAI's follows from it (O ← A:
// prompt = input + cache read + cache creation, cached = cache read, completion = output), except that an OpenAI
// client of an OpenAI upstream sees the recorded numbers themselves.

function openaiView(a: AnthropicUsage): OpenAIUsage {
  return {
    prompt_tokens: a.input_tokens + a.cache_read_input_tokens + a.cache_creation_input_tokens,
    cached_tokens: a.cache_read_input_tokens,
    completion_tokens: a.output_tokens,
  };
}

function anthropicUsage(u: Json): Expected['usage'] {
  const a: AnthropicUsage = {
    input_tokens: num(u.input_tokens),
    cache_read_input_tokens: num(u.cache_read_input_tokens),
    cache_creation_input_tokens: num(u.cache_creation_input_tokens),
    output_tokens: num(u.output_tokens),
  };
  return { anthropic: a, openai: openaiView(a) };
}

function openaiUsage(u: Json): Expected['usage'] {
  const prompt = num(u.prompt_tokens);
  const completion = num(u.completion_tokens);
  const pd = isObj(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const cd = isObj(u.completion_tokens_details) ? u.completion_tokens_details : {};
  const cacheRead = num(pd.cached_tokens);
  const cacheWrite = typeof pd.cache_write_tokens === 'number' ? pd.cache_write_tokens : num(u.cache_creation_input_tokens);
  // 5.9.2 takes output_tokens = completion_tokens, which assumes OpenAI's meaning (reasoning included). xAI reports
  // completion_tokens *without* reasoning (its total_tokens = prompt + completion + reasoning); Anthropic's
  // output_tokens includes thinking, so then the reasoning tokens belong in it.
  const reasoning = num(cd.reasoning_tokens);
  const excludesReasoning = reasoning > 0 && num(u.total_tokens) === prompt + completion + reasoning;
  return {
    anthropic: {
      input_tokens: Math.max(prompt - cacheRead - cacheWrite, 0),
      cache_read_input_tokens: cacheRead,
      cache_creation_input_tokens: cacheWrite,
      output_tokens: completion + (excludesReasoning ? reasoning : 0),
    },
    openai: { prompt_tokens: prompt, cached_tokens: cacheRead, completion_tokens: completion },
  };
}

function geminiUsage(u: Json): Expected['usage'] {
  const cached = num(u.cachedContentTokenCount);
  // toolUsePromptTokenCount is prompt input too (5.9.2 A ← G); OpenAI's prompt_tokens is then the same total.
  const a: AnthropicUsage = {
    input_tokens: num(u.promptTokenCount) + num(u.toolUsePromptTokenCount) - cached,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: 0,
    output_tokens: num(u.candidatesTokenCount) + num(u.thoughtsTokenCount),
  };
  return { anthropic: a, openai: openaiView(a) };
}

// ---------------------------------------------------------------------------------------------------------------
// Folding each wire format

interface Block {
  type: string;
  text: string;
  name?: string;
  startInput?: unknown;
  json: string;
}

function toolsOf(blocks: Block[]): ToolCall[] {
  return blocks
    .filter((b) => b.type === 'tool_use')
    .map((b) => ({ name: b.name ?? '', input: b.json !== '' ? (JSON.parse(b.json) as unknown) : (b.startInput ?? {}) }));
}

function textOf(blocks: Block[]): string {
  return blocks
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('');
}

export function foldAnthropicStream(events: Json[]): Expected & { model: string } {
  const blocks: Block[] = [];
  let usage: Json = {};
  let stop = '';
  let model = '';
  for (const e of events) {
    if (e.type === 'message_start' && isObj(e.message)) {
      model = String(e.message.model ?? '');
      usage = { ...(e.message.usage as Json) };
    } else if (e.type === 'content_block_start' && isObj(e.content_block)) {
      const cb = e.content_block;
      blocks[e.index as number] = { type: String(cb.type), text: typeof cb.text === 'string' ? cb.text : '', name: cb.name as string | undefined, startInput: cb.input, json: '' };
    } else if (e.type === 'content_block_delta' && isObj(e.delta)) {
      const b = blocks[e.index as number];
      if (e.delta.type === 'text_delta') b.text += e.delta.text as string;
      else if (e.delta.type === 'input_json_delta') b.json += e.delta.partial_json as string;
    } else if (e.type === 'message_delta') {
      if (isObj(e.delta) && typeof e.delta.stop_reason === 'string') stop = e.delta.stop_reason;
      // message_delta counters are cumulative totals: the ones present replace message_start's
      if (isObj(e.usage)) for (const [k, v] of Object.entries(e.usage)) if (v !== null && v !== undefined) usage[k] = v;
    }
  }
  return { model, text: textOf(blocks), tools: toolsOf(blocks), stop: fromAnthropicStop(stop), usage: anthropicUsage(usage) };
}

export function foldAnthropicMessage(m: Json): Expected & { model: string } {
  const blocks: Block[] = (m.content as Json[]).map((b) => ({ type: String(b.type), text: typeof b.text === 'string' ? b.text : '', name: b.name as string | undefined, startInput: b.input, json: '' }));
  return { model: String(m.model ?? ''), text: textOf(blocks), tools: toolsOf(blocks), stop: fromAnthropicStop(String(m.stop_reason)), usage: isObj(m.usage) ? anthropicUsage(m.usage) : null };
}

/** Text of an OpenAI `content`: a string, or (Mistral) an array of parts whose `text` parts are the answer. */
function openaiText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: Json) => (p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('');
  return '';
}

function usageOfChunk(c: Json): Json | undefined {
  if (isObj(c.usage) && typeof c.usage.prompt_tokens === 'number') return c.usage;
  if (isObj(c.x_groq) && isObj(c.x_groq.usage)) return c.x_groq.usage;
  return undefined;
}

export function foldOpenAIChunks(chunks: Json[]): Expected & { model: string } {
  let text = '';
  let finish = '';
  let usage: Json | undefined;
  let model = '';
  const calls = new Map<number, { name: string; args: string }>();
  for (const c of chunks) {
    if (typeof c.model === 'string' && !model) model = c.model;
    usage = usageOfChunk(c) ?? usage;
    for (const choice of (c.choices as Json[] | undefined) ?? []) {
      if ((choice.index ?? 0) !== 0) continue;
      const d = isObj(choice.delta) ? choice.delta : {};
      text += openaiText(d.content);
      for (const tc of (d.tool_calls as Json[] | undefined) ?? []) {
        const i = typeof tc.index === 'number' ? tc.index : 0;
        let call = calls.get(i);
        if (!call) calls.set(i, (call = { name: '', args: '' }));
        const fn = isObj(tc.function) ? tc.function : {};
        if (typeof fn.name === 'string' && fn.name) call.name = fn.name;
        if (typeof fn.arguments === 'string') call.args += fn.arguments;
      }
      if (typeof choice.finish_reason === 'string') finish = choice.finish_reason;
    }
  }
  const tools = [...calls.values()].map((c) => ({ name: c.name, input: JSON.parse(c.args) as unknown }));
  return { model, text, tools, stop: fromOpenAIFinish(finish), usage: usage ? openaiUsage(usage) : null };
}

export function foldOpenAICompletion(body: Json): Expected & { model: string } {
  const choice = (body.choices as Json[])[0];
  const m = choice.message as Json;
  const tools = ((m.tool_calls as Json[] | undefined) ?? []).map((tc) => {
    const fn = tc.function as Json;
    return { name: String(fn.name), input: JSON.parse(String(fn.arguments)) as unknown };
  });
  return { model: String(body.model ?? ''), text: openaiText(m.content), tools, stop: fromOpenAIFinish(String(choice.finish_reason)), usage: isObj(body.usage) ? openaiUsage(body.usage) : null };
}

/** `$.a.b[0].c` → ['a', 'b', 0, 'c'] */
function jsonPath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of path.replace(/^\$/, '').matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) out.push(m[1] !== undefined ? m[1] : Number(m[2]));
  return out;
}

/** Apply one Vertex `partialArgs` entry: strings arrive in pieces (appended), other values whole. */
function applyPartialArg(args: Json, pa: Json): void {
  const path = jsonPath(String(pa.jsonPath));
  let node: Json | unknown[] = args;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i];
    const container = node as Record<string | number, unknown>;
    if (container[k] === undefined) container[k] = typeof path[i + 1] === 'number' ? [] : {};
    node = container[k] as Json | unknown[];
  }
  const last = path[path.length - 1];
  const target = node as Record<string | number, unknown>;
  if (typeof pa.stringValue === 'string') target[last] = (typeof target[last] === 'string' ? (target[last] as string) : '') + pa.stringValue;
  else if ('numberValue' in pa) target[last] = pa.numberValue;
  else if ('boolValue' in pa) target[last] = pa.boolValue;
  else if ('nullValue' in pa) target[last] = null;
}

export function foldGeminiChunks(chunks: Json[]): Expected & { model: string } {
  let text = '';
  let finish = '';
  let usage: Json | undefined;
  let model = '';
  const tools: Array<{ name: string; input: Json }> = [];
  let open: { name: string; input: Json } | undefined;
  for (const c of chunks) {
    if (typeof c.modelVersion === 'string' && !model) model = c.modelVersion;
    if (isObj(c.usageMetadata)) usage = { ...(usage ?? {}), ...c.usageMetadata };
    const cand = ((c.candidates as Json[] | undefined) ?? [])[0];
    if (!cand) continue;
    const parts = isObj(cand.content) ? ((cand.content.parts as Json[] | undefined) ?? []) : [];
    for (const p of parts) {
      if (typeof p.text === 'string' && p.thought !== true) text += p.text;
      if (!isObj(p.functionCall)) continue;
      const fc = p.functionCall;
      if (typeof fc.name === 'string' && fc.name) {
        const call = { name: fc.name, input: isObj(fc.args) ? fc.args : {} };
        tools.push(call);
        // Vertex streamed arguments: the call stays open until a functionCall part without willContinue
        open = fc.willContinue === true ? call : undefined;
      } else if (Array.isArray(fc.partialArgs) && open) {
        for (const pa of fc.partialArgs as Json[]) applyPartialArg(open.input, pa);
      } else if (fc.willContinue !== true) {
        open = undefined;
      }
    }
    if (typeof cand.finishReason === 'string') finish = cand.finishReason;
  }
  return { model, text, tools, stop: fromGeminiFinish(finish, tools.length > 0), usage: usage && 'promptTokenCount' in usage ? geminiUsage(usage) : null };
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

function fold(wire: Wire, stream: boolean, payloads: Json[]): Expected & { model: string } {
  if (wire === 'anthropic') return stream ? foldAnthropicStream(payloads) : foldAnthropicMessage(payloads[0]);
  if (wire === 'openai') return stream ? foldOpenAIChunks(payloads) : foldOpenAICompletion(payloads[0]);
  return foldGeminiChunks(payloads);
}

function isErrorBody(v: unknown): boolean {
  return isObj(v) && (v.type === 'error' || 'error' in v) && !('choices' in v) && !('candidates' in v) && !('content' in v);
}

/** The generation endpoint of each wire format (cassette interactions elsewhere are not model responses). */
const ENDPOINT: Record<Wire, RegExp> = {
  anthropic: /\/v1\/messages(\?|$)/,
  openai: /\/v1\/chat\/completions(\?|$)/,
  gemini: /:(generateContent|streamGenerateContent)(\?|$)/,
};

function header(headers: unknown, name: string): string {
  if (!isObj(headers)) return '';
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return Array.isArray(v) ? String(v[0]) : String(v);
  return '';
}

function makeCase(id: string, wire: Wire, stream: boolean, response: ReplayResponse, payloads: Json[], requestModel?: string): ReplayCase {
  const { model, ...expected } = fold(wire, stream, payloads);
  return { id, wire, stream, model: model || requestModel || 'unknown-model', response, expected };
}

/** Every recorded response of the three folders: replay cases, and the ones left out with the reason. */
export function loadCases(): { cases: ReplayCase[]; skipped: SkippedCase[] } {
  const cases: ReplayCase[] = [];
  const skipped: SkippedCase[] = [];
  for (const wire of ['anthropic', 'openai', 'gemini'] as const) {
    const dir = join(FIXTURES_DIR, wire);
    for (const file of readdirSync(dir).sort()) {
      const path = join(dir, file);
      if (file.endsWith('.chunks.txt')) {
        const lines = readFileSync(path, 'utf8')
          .split('\n')
          .map((l) => l.replace(/\r$/, ''))
          .filter((l) => l.trim() !== '');
        const stream = true;
        cases.push(makeCase(file, wire, stream, { sse: lines }, parseAll(lines)));
      } else if (file.endsWith('.sse') || file.endsWith('.txt')) {
        const raw = readFileSync(path);
        cases.push(makeCase(file, wire, true, { raw, contentType: 'text/event-stream; charset=utf-8' }, parseAll(ssePayloads(raw.toString('utf8')))));
      } else if (file.endsWith('.json')) {
        const body = JSON.parse(readFileSync(path, 'utf8')) as Json;
        if (isErrorBody(body)) {
          skipped.push({ id: file, reason: 'error response' });
        } else if (Array.isArray(body.attempts)) {
          // A recording of several calls, each body under rawResponseBody.
          (body.attempts as Json[]).forEach((a, i) => cases.push(makeCase(`${file}#attempt${i + 1}`, wire, false, { json: a.rawResponseBody }, [a.rawResponseBody as Json])));
        } else {
          cases.push(makeCase(file, wire, false, { json: body }, [body]));
        }
      } else if (file.endsWith('.yaml')) {
        const doc = YAML.parse(readFileSync(path, 'utf8')) as { interactions: Json[] };
        doc.interactions.forEach((it, i) => {
          const id = `${file}#${i}`;
          const req = it.request as Json;
          const res = it.response as Json;
          const uri = String(req.uri ?? req.url ?? '');
          const status = num(isObj(res.status) ? res.status.code : res.code);
          if (status >= 400) {
            skipped.push({ id, reason: `error response (${status})` });
            return;
          }
          if (!ENDPOINT[wire].test(uri)) {
            skipped.push({ id, reason: `not a ${wire} generation call (${uri.replace(/\?.*/, '')})` });
            return;
          }
          const contentType = header(res.headers, 'content-type');
          const stream = contentType.includes('text/event-stream');
          // pydantic-ai cassettes: parsed_body (JSON as YAML) or body.string; go-vcr: body (text)
          const bodyText = typeof res.body === 'string' ? res.body : isObj(res.body) && typeof res.body.string === 'string' ? res.body.string : undefined;
          const parsed = res.parsed_body !== undefined ? res.parsed_body : bodyText !== undefined && !stream ? (JSON.parse(bodyText) as unknown) : undefined;
          if (isErrorBody(parsed)) {
            skipped.push({ id, reason: `error response (${status})` });
            return;
          }
          const reqBody = isObj(req.parsed_body) ? req.parsed_body : typeof req.body === 'string' && req.body.startsWith('{') ? (JSON.parse(req.body) as Json) : {};
          const requestModel = typeof reqBody.model === 'string' ? reqBody.model : undefined;
          if (stream) {
            cases.push(makeCase(id, wire, true, { raw: bodyText ?? '', contentType }, parseAll(ssePayloads(bodyText ?? '')), requestModel));
          } else {
            const response: ReplayResponse = bodyText !== undefined ? { raw: bodyText, contentType } : { json: parsed, contentType };
            cases.push(makeCase(id, wire, false, response, [parsed as Json], requestModel));
          }
        });
      } else if (file !== 'README.md') {
        skipped.push({ id: file, reason: 'unknown fixture format' });
      }
    }
  }
  return { cases, skipped };
}

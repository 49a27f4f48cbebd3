/**
 * Test support (not used by the estimator): the recorded provider cassettes shared beside the repository, each
 * request turned into the canonical form by a deliberately small converter of our own (text, images, tools, tool
 * calls and results, thinking, signatures) so calibration does not depend on the codecs, paired with the prompt
 * token count the provider reported for it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ContentBlock, ImageBlock, Message, Request, TextBlock, Tool, ToolChoice, ToolResultBlock } from '../../canonical/types.js';
import { tokenizerFamilyFor, type TokenizerFamily } from '../family.js';

export const SHARED = path.resolve(import.meta.dirname, '../../../../../shared');
export const RECORDED = path.join(SHARED, 'fixtures/recorded');
export const CLAUDE_CODE = path.join(SHARED, 'fixtures/claude-code');

type Obj = Record<string, unknown>;

export interface Sample {
  /** `<file>#<interaction>` */
  name: string;
  format: 'anthropic' | 'openai' | 'gemini';
  family: TokenizerFamily;
  request: Request;
  /** The prompt tokens the provider reported (Anthropic: input + cache read + cache write). */
  actual: number;
  /** Why the sample is reported but kept out of the error statistics, when it is. */
  excluded?: string;
}

interface Interaction {
  request: { uri?: string; url?: string; parsed_body?: Obj; body?: string };
  response: { status?: { code: number }; code?: number; parsed_body?: Obj; body?: string | { string?: string } };
}

function cassettes(format: string): Array<{ file: string; interactions: Interaction[] }> {
  const dir = path.join(RECORDED, format);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => ({ file, interactions: ((parseYaml(readFileSync(path.join(dir, file), 'utf8')) as { interactions?: Interaction[] }).interactions ?? []) }));
}

function requestBody(i: Interaction): Obj | undefined {
  if (i.request.parsed_body) return i.request.parsed_body;
  if (typeof i.request.body === 'string' && i.request.body.trim().startsWith('{')) return JSON.parse(i.request.body) as Obj;
  return undefined;
}

function status(i: Interaction): number {
  return i.response.status?.code ?? i.response.code ?? 0;
}

function responseText(i: Interaction): string | undefined {
  const b = i.response.body;
  return typeof b === 'string' ? b : b?.string;
}

/** The JSON payloads of an SSE body (`data:` lines). */
function sseData(text: string): Obj[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trim())
    .filter((d) => d.startsWith('{'))
    .map((d) => JSON.parse(d) as Obj);
}

function responseJson(i: Interaction): Obj | undefined {
  if (i.response.parsed_body) return i.response.parsed_body;
  const t = responseText(i);
  if (t && t.trim().startsWith('{')) return JSON.parse(t) as Obj;
  return undefined;
}

const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

// ---------------------------------------------------------------------------------------------------- Anthropic

function anthropicBlocks(content: unknown): ContentBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return arr(content).map((raw): ContentBlock => {
    const b = obj(raw);
    switch (b.type) {
      case 'text':
        return { type: 'text', text: str(b.text) ?? '' };
      case 'image': {
        const s = obj(b.source);
        return { type: 'image', source: s.type === 'base64' ? { kind: 'base64', mediaType: str(s.media_type) ?? '', data: str(s.data) ?? '' } : { kind: 'url', url: str(s.url) ?? '' } };
      }
      case 'tool_use':
        return { type: 'tool_call', id: str(b.id) ?? '', name: str(b.name) ?? '', input: obj(b.input) };
      case 'tool_result':
        return { type: 'tool_result', toolCallId: str(b.tool_use_id) ?? '', content: anthropicBlocks(b.content ?? []) as ToolResultBlock['content'], isError: b.is_error === true };
      case 'thinking':
        return { type: 'thinking', text: str(b.thinking) ?? '', signature: str(b.signature), signatureOrigin: { format: 'anthropic' } };
      case 'redacted_thinking':
        return { type: 'redacted_thinking', data: str(b.data) ?? '', signatureOrigin: { format: 'anthropic' } };
      default:
        return { type: 'opaque', format: 'anthropic', value: b };
    }
  });
}

export function anthropicToCanonical(body: Obj): Request {
  const system: TextBlock[] = typeof body.system === 'string' ? [{ type: 'text', text: body.system }] : (anthropicBlocks(body.system ?? []) as TextBlock[]);
  const tools: Tool[] = [];
  const server: Array<{ index: number; tool: unknown }> = [];
  arr(body.tools).forEach((raw, index) => {
    const t = obj(raw);
    if (t.type !== undefined && t.type !== 'custom') server.push({ index, tool: t });
    else tools.push({ name: str(t.name) ?? '', description: str(t.description), inputSchema: obj(t.input_schema) });
  });
  const tc = obj(body.tool_choice);
  const thinking = obj(body.thinking);
  const req: Request = {
    model: str(body.model) ?? '',
    system,
    messages: arr(body.messages).map((m) => ({ role: obj(m).role as Message['role'], content: anthropicBlocks(obj(m).content) })),
    maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
    stream: body.stream === true,
    extensions: server.length ? { anthropic: { server_tools: server } } : {},
  };
  if (tools.length) req.tools = tools;
  if (tc.type) req.toolChoice = (tc.type === 'tool' ? { type: 'tool', name: str(tc.name) ?? '' } : { type: tc.type }) as ToolChoice;
  if (thinking.type) req.thinking = { type: thinking.type as 'enabled', budgetTokens: typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens : undefined };
  return req;
}

function anthropicSamples(imagesByUrl: Map<string, ImageBlock['source']>): Sample[] {
  const out: Sample[] = [];
  for (const { file, interactions } of cassettes('anthropic')) {
    interactions.forEach((it, n) => {
      const body = requestBody(it);
      if (!body || status(it) !== 200 || !str(it.request.uri)?.includes('/v1/messages')) return;
      let usage: Obj | undefined = obj(responseJson(it)?.usage);
      if (!usage.input_tokens) {
        // A stream: the prompt count is in message_start (a server tool's later turns add to the final total).
        const start = sseData(responseText(it) ?? '').find((e) => e.type === 'message_start');
        usage = obj(obj(start?.message).usage);
      }
      const actual = Number(usage.input_tokens ?? 0) + Number(usage.cache_read_input_tokens ?? 0) + Number(usage.cache_creation_input_tokens ?? 0);
      const request = anthropicToCanonical(body);
      // The provider fetched URL images itself; where the same URL's bytes were recorded elsewhere, count with them.
      for (const m of request.messages) {
        for (const b of m.content) {
          if (b.type === 'image' && b.source.kind === 'url' && imagesByUrl.has(b.source.url)) b.source = imagesByUrl.get(b.source.url)!;
        }
      }
      out.push({ name: `${file}#${n}`, format: 'anthropic', family: tokenizerFamilyFor('anthropic', request.model), request, actual });
    });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------ OpenAI

function openAiParts(content: unknown): ContentBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return arr(content).flatMap((raw): ContentBlock[] => {
    const p = obj(raw);
    if (p.type === 'text') return [{ type: 'text', text: str(p.text) ?? '' }];
    if (p.type === 'image_url') {
      const u = obj(p.image_url);
      const url = str(u.url) ?? '';
      const m = /^data:([^;,]*);base64,/.exec(url);
      const block: ImageBlock = { type: 'image', source: m ? { kind: 'base64', mediaType: m[1], data: url.slice(m[0].length) } : { kind: 'url', url } };
      if (str(u.detail)) block.detail = str(u.detail);
      return [block];
    }
    return [];
  });
}

export function openAiToCanonical(body: Obj): Request {
  const req: Request = { model: str(body.model) ?? '', system: [], messages: [], stream: body.stream === true, extensions: {} };
  const msgs = arr(body.messages).map(obj);
  msgs.forEach((m, i) => {
    const role = str(m.role);
    if ((role === 'system' || role === 'developer') && req.messages.length === 0 && i === req.system.length) {
      req.system.push(...(openAiParts(m.content) as TextBlock[]));
      return;
    }
    if (role === 'system' || role === 'developer') req.messages.push({ role: 'system', content: openAiParts(m.content) });
    else if (role === 'user') req.messages.push({ role: 'user', content: openAiParts(m.content) });
    else if (role === 'assistant') {
      const content = m.content == null ? [] : openAiParts(m.content);
      for (const tc of arr(m.tool_calls).map(obj)) {
        const fn = obj(tc.function);
        content.push({ type: 'tool_call', id: str(tc.id) ?? '', name: str(fn.name) ?? '', input: JSON.parse(str(fn.arguments) || '{}') as Obj });
      }
      req.messages.push({ role: 'assistant', content });
    } else if (role === 'tool') {
      const result: ToolResultBlock = { type: 'tool_result', toolCallId: str(m.tool_call_id) ?? '', content: openAiParts(m.content) as ToolResultBlock['content'] };
      const last = req.messages.at(-1);
      // Consecutive tool messages answer one assistant turn: one canonical user message of results.
      if (last?.role === 'user' && last.content.every((b) => b.type === 'tool_result')) last.content.push(result);
      else req.messages.push({ role: 'user', content: [result] });
    }
  });
  const tools = arr(body.tools).map((t) => obj(obj(t).function));
  if (tools.length) req.tools = tools.map((f) => ({ name: str(f.name) ?? '', description: str(f.description) || undefined, inputSchema: obj(f.parameters) }));
  const rf = obj(body.response_format);
  if (rf.type === 'json_object') req.responseFormat = { type: 'json_object' };
  if (rf.type === 'json_schema') req.responseFormat = { type: 'json_schema', name: str(obj(rf.json_schema).name), schema: obj(obj(rf.json_schema).schema) };
  return req;
}

function openAiSamples(): Sample[] {
  const out: Sample[] = [];
  for (const { file, interactions } of cassettes('openai')) {
    interactions.forEach((it, n) => {
      const body = requestBody(it);
      const uri = it.request.uri ?? it.request.url ?? '';
      if (!body || status(it) !== 200 || !uri.includes('/chat/completions')) return;
      let usage = obj(responseJson(it)?.usage);
      if (usage.prompt_tokens === undefined) usage = obj(sseData(responseText(it) ?? '').find((c) => c.usage)?.usage);
      if (usage.prompt_tokens === undefined) return; // a stream recorded without include_usage
      const request = openAiToCanonical(body);
      const sample: Sample = { name: `${file}#${n}`, format: 'openai', family: tokenizerFamilyFor('openai', request.model), request, actual: Number(usage.prompt_tokens) };
      if (request.messages.some((m) => m.content.some((b) => b.type === 'image' && b.source.kind === 'url'))) {
        sample.excluded = 'image given by URL: its size cannot be known offline, so a 1024x1024 image is assumed';
      }
      out.push(sample);
    });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------ Gemini

function geminiParts(parts: unknown[], role: 'user' | 'assistant'): ContentBlock[] {
  return parts.map(obj).flatMap((p): ContentBlock[] => {
    const signature = str(p.thoughtSignature);
    const sig = signature ? { signature, signatureOrigin: { format: 'gemini' as const } } : {};
    if (p.functionCall) {
      const c = obj(p.functionCall);
      return [{ type: 'tool_call', id: str(c.id) ?? '', name: str(c.name) ?? '', input: obj(c.args), ...sig }];
    }
    if (p.functionResponse) {
      const r = obj(p.functionResponse);
      return [{ type: 'tool_result', toolCallId: str(r.id) ?? '', name: str(r.name), content: [{ type: 'text', text: JSON.stringify(r.response ?? {}) }] }];
    }
    if (p.inlineData) {
      const d = obj(p.inlineData);
      return [{ type: 'image', source: { kind: 'base64', mediaType: str(d.mimeType) ?? '', data: str(d.data) ?? '' } }];
    }
    if (typeof p.text === 'string') {
      if (p.thought === true || (p.text === '' && signature && role === 'assistant')) return [{ type: 'thinking', text: p.text, ...sig }];
      return [{ type: 'text', text: p.text, ...sig }];
    }
    return [];
  });
}

export function geminiToCanonical(body: Obj, model: string): Request {
  const req: Request = {
    model,
    system: arr(obj(body.systemInstruction).parts).map((p) => ({ type: 'text', text: str(obj(p).text) ?? '' })),
    messages: arr(body.contents).map((c) => {
      const role = obj(c).role === 'model' ? 'assistant' : 'user';
      return { role, content: geminiParts(arr(obj(c).parts), role) };
    }),
    stream: false,
    extensions: {},
  };
  const tools = arr(body.tools).map(obj);
  const decls = tools.flatMap((t) => arr(t.functionDeclarations).map(obj));
  if (decls.length) req.tools = decls.map((d) => ({ name: str(d.name) ?? '', description: str(d.description) || undefined, inputSchema: obj(d.parameters_json_schema ?? d.parameters) }));
  const fcc = obj(obj(body.toolConfig).functionCallingConfig);
  const allowed = arr(fcc.allowedFunctionNames);
  if (fcc.mode === 'ANY') req.toolChoice = allowed.length === 1 ? { type: 'tool', name: String(allowed[0]) } : { type: 'any' };
  if (fcc.mode === 'NONE') req.toolChoice = { type: 'none' };
  const other = tools.filter((t) => !t.functionDeclarations);
  if (other.length) req.extensions.gemini = { tools: other };
  return req;
}

function geminiSamples(): { samples: Sample[]; imagesByUrl: Map<string, ImageBlock['source']> } {
  const samples: Sample[] = [];
  const imagesByUrl = new Map<string, ImageBlock['source']>();
  for (const { file, interactions } of cassettes('gemini')) {
    interactions.forEach((it, n) => {
      const uri = it.request.uri ?? '';
      if (!uri.includes('generativelanguage.googleapis.com')) {
        // The image the test fetched before inlining it; Anthropic's URL-image cassette names the same URL.
        const raw = (it.response.body as { string?: unknown } | undefined)?.string;
        const type = (it.response as { headers?: Record<string, string[]> }).headers?.['content-type']?.[0];
        if (raw instanceof Uint8Array && type?.startsWith('image/')) imagesByUrl.set(uri, { kind: 'base64', mediaType: type, data: Buffer.from(raw).toString('base64') });
        return;
      }
      const body = requestBody(it);
      if (!body || status(it) !== 200) return;
      let meta = obj(responseJson(it)?.usageMetadata);
      if (meta.promptTokenCount === undefined) {
        // Streams repeat usageMetadata; the last chunk's is the final one.
        meta = obj(sseData(responseText(it) ?? '').filter((c) => c.usageMetadata).at(-1)?.usageMetadata);
      }
      const model = /models\/([^:]+):/.exec(uri)?.[1] ?? '';
      const request = geminiToCanonical(body, model);
      samples.push({ name: `${file}#${n}`, format: 'gemini', family: tokenizerFamilyFor('gemini', model), request, actual: Number(meta.promptTokenCount) });
    });
  }
  return { samples, imagesByUrl };
}

/** Every usable recorded request with its real prompt token count, by wire format. */
export function loadSamples(): Sample[] {
  const gemini = geminiSamples();
  return [...openAiSamples(), ...anthropicSamples(gemini.imagesByUrl), ...gemini.samples];
}

/** The largest Claude Code request body recorded (a real `/v1/messages` call with 24 tools). */
export function claudeCodeBody(): Obj {
  let best: Obj | undefined;
  let bestLen = 0;
  for (const f of readdirSync(CLAUDE_CODE).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(path.join(CLAUDE_CODE, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const rec = JSON.parse(line) as { path?: string; body?: Obj };
      if (rec.path !== '/v1/messages' || !rec.body) continue;
      const len = JSON.stringify(rec.body).length;
      if (len > bestLen) [best, bestLen] = [rec.body, len];
    }
  }
  if (!best) throw new Error('no Claude Code request recorded');
  return best;
}

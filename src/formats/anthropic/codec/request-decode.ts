import type { Message, ReasoningEffort, Request, ResponseFormat, TextBlock, Thinking, Tool, ToolChoice } from '../../canonical/types.js';
import { EXTENSION_FIELDS } from '../request.js';
import { decodeBlock, decodeContent } from './blocks-decode.js';
import { type AnthropicExtensions, SERVER_TOOLS_KEY, TOOL_FIELDS_KEY } from './extensions.js';
import {
  decodeCacheControl,
  expectObject,
  expectString,
  fail,
  given,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalString,
  type Json,
} from './wire.js';

/** Top-level fields with a canonical meaning; everything else is Anthropic-only and goes to `extensions.anthropic`. */
const CANONICAL_FIELDS = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  'metadata',
  'cache_control',
]);

const EFFORTS: readonly string[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] satisfies ReasoningEffort[];

/** A full Anthropic Messages request → canonical. */
export function decodeRequest(body: unknown): Request {
  const b = expectObject(body, 'body');
  const model = expectString(b.model, 'model');
  if (model === '') fail('model', 'must not be empty');
  if (!Array.isArray(b.messages)) fail('messages', given(b.messages) ? 'expected an array' : 'field required');

  const ext: AnthropicExtensions = {};
  const req: Request = {
    model,
    system: decodeSystem(b.system),
    messages: b.messages.map((m, i) => decodeMessage(m, `messages.${i}`)),
    stream: optionalBoolean(b.stream, 'stream') ?? false,
    extensions: { anthropic: ext },
  };
  const maxTokens = optionalInteger(b.max_tokens, 'max_tokens');
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const temperature = optionalNumber(b.temperature, 'temperature');
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optionalNumber(b.top_p, 'top_p');
  if (topP !== undefined) req.topP = topP;
  const topK = optionalInteger(b.top_k, 'top_k');
  if (topK !== undefined) req.topK = topK;
  if (given(b.stop_sequences)) {
    if (!Array.isArray(b.stop_sequences)) fail('stop_sequences', 'expected an array of strings');
    req.stop = b.stop_sequences.map((s, i) => expectString(s, `stop_sequences.${i}`));
  }
  decodeTools(b.tools, req, ext);
  decodeToolChoice(b.tool_choice, req);
  if (given(b.thinking)) req.thinking = decodeThinking(b.thinking);
  decodeOutputConfig(b.output_config, req, ext);
  if (given(b.metadata)) {
    const md = expectObject(b.metadata, 'metadata');
    const user = optionalString(md.user_id, 'metadata.user_id');
    if (user !== undefined) req.user = user;
    // Anthropic accepts only user_id; other keys are Switchyard routing variables, consumed by the ingress.
  }
  const cacheControl = decodeCacheControl(b.cache_control, 'cache_control');
  if (cacheControl) req.cacheControl = cacheControl;

  for (const [k, v] of Object.entries(b)) {
    if (CANONICAL_FIELDS.has(k) || !given(v)) continue;
    // Switchyard's own routing fields never go upstream, even if the ingress left them in.
    if ((EXTENSION_FIELDS as readonly string[]).includes(k)) continue;
    ext[k] = v;
  }
  return req;
}

function decodeSystem(raw: unknown): TextBlock[] {
  if (!given(raw)) return [];
  if (typeof raw === 'string') return raw === '' ? [] : [{ type: 'text', text: raw }];
  if (!Array.isArray(raw)) fail('system', 'expected a string or an array of text blocks');
  return raw.map((blk, i) => {
    const o = expectObject(blk, `system.${i}`);
    if (o.type !== 'text') fail(`system.${i}.type`, `expected "text", got ${JSON.stringify(o.type)}`);
    const decoded = decodeBlock(o, `system.${i}`);
    if (decoded.type !== 'text') fail(`system.${i}`, 'system blocks take only text, cache_control and citations');
    return decoded;
  });
}

function decodeMessage(raw: unknown, path: string): Message {
  const m = expectObject(raw, path);
  if (m.role !== 'user' && m.role !== 'assistant' && m.role !== 'system') fail(`${path}.role`, `expected "user", "assistant" or "system", got ${JSON.stringify(m.role)}`);
  if (!given(m.content)) fail(`${path}.content`, 'field required');
  const content = decodeContent(m.content, `${path}.content`);
  if (m.role === 'system') {
    // Claude Code's mid-conversation system messages: text only, like the top-level system prompt.
    content.forEach((c, i) => {
      if (c.type !== 'text') fail(`${path}.content.${i}.type`, 'system messages take only text blocks');
    });
  }
  return { role: m.role, content };
}

function decodeTools(raw: unknown, req: Request, ext: AnthropicExtensions): void {
  if (!given(raw)) return;
  if (!Array.isArray(raw)) fail('tools', 'expected an array');
  const tools: Tool[] = [];
  const server: NonNullable<AnthropicExtensions[typeof SERVER_TOOLS_KEY]> = [];
  const fields: NonNullable<AnthropicExtensions[typeof TOOL_FIELDS_KEY]> = {};
  raw.forEach((t, i) => {
    const o = expectObject(t, `tools.${i}`);
    if (given(o.type) && o.type !== 'custom') {
      // Server tools (web_search_20250305, bash_20250124, ...): Anthropic executes them, nobody else can.
      expectString(o.type, `tools.${i}.type`);
      server.push({ index: i, tool: o });
      return;
    }
    const name = expectString(o.name, `tools.${i}.name`);
    const tool: Tool = { name, inputSchema: expectObject(o.input_schema, `tools.${i}.input_schema`) };
    const description = optionalString(o.description, `tools.${i}.description`);
    if (description !== undefined) tool.description = description;
    const strict = optionalBoolean(o.strict, `tools.${i}.strict`);
    if (strict !== undefined) tool.strict = strict;
    const cacheControl = decodeCacheControl(o.cache_control, `tools.${i}.cache_control`);
    if (cacheControl) tool.cacheControl = cacheControl;
    const rest: Json = {};
    for (const [k, v] of Object.entries(o)) {
      if (!['name', 'input_schema', 'description', 'strict', 'cache_control'].includes(k) && v !== undefined) rest[k] = v;
    }
    if (Object.keys(rest).length) fields[name] = rest;
    tools.push(tool);
  });
  req.tools = tools;
  if (server.length) ext[SERVER_TOOLS_KEY] = server;
  if (Object.keys(fields).length) ext[TOOL_FIELDS_KEY] = fields;
}

function decodeToolChoice(raw: unknown, req: Request): void {
  if (!given(raw)) return;
  const o = expectObject(raw, 'tool_choice');
  const disable = optionalBoolean(o.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use');
  let choice: Exclude<ToolChoice, { type: 'none' }>;
  switch (o.type) {
    case 'auto':
    case 'any':
      choice = { type: o.type };
      break;
    case 'tool':
      choice = { type: 'tool', name: expectString(o.name, 'tool_choice.name') };
      break;
    case 'none':
      req.toolChoice = { type: 'none' };
      return;
    default:
      fail('tool_choice.type', `expected "auto", "any", "tool" or "none", got ${JSON.stringify(o.type)}`);
  }
  if (disable !== undefined) {
    choice.disableParallel = disable;
    req.parallelToolCalls = !disable;
  }
  req.toolChoice = choice;
}

function decodeThinking(raw: unknown): Thinking {
  const o = expectObject(raw, 'thinking');
  const display = optionalString(o.display, 'thinking.display');
  if (display !== undefined && display !== 'summarized' && display !== 'omitted') fail('thinking.display', `expected "summarized" or "omitted", got ${JSON.stringify(display)}`);
  let out: Thinking;
  switch (o.type) {
    case 'enabled': {
      const budget = optionalInteger(o.budget_tokens, 'thinking.budget_tokens');
      if (budget === undefined) fail('thinking.budget_tokens', 'field required when thinking is enabled');
      out = { type: 'enabled', budgetTokens: budget };
      break;
    }
    case 'adaptive':
      out = { type: 'adaptive' };
      break;
    case 'disabled':
      out = { type: 'disabled' };
      break;
    default:
      fail('thinking.type', `expected "enabled", "adaptive" or "disabled", got ${JSON.stringify(o.type)}`);
  }
  if (display !== undefined) out.display = display;
  return out;
}

function decodeOutputConfig(raw: unknown, req: Request, ext: AnthropicExtensions): void {
  if (!given(raw)) return;
  const o = expectObject(raw, 'output_config');
  const rest: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (k === 'effort' && typeof v === 'string' && EFFORTS.includes(v)) {
      req.reasoningEffort = v as ReasoningEffort;
    } else if (k === 'format' && isJsonSchemaFormat(v)) {
      req.responseFormat = { type: 'json_schema', schema: v.schema } satisfies ResponseFormat;
    } else if (v !== null) {
      // Effort levels and format types newer than this codec stay Anthropic-only rather than failing.
      rest[k] = v;
    }
  }
  if (Object.keys(rest).length) ext.output_config = rest;
}

function isJsonSchemaFormat(v: unknown): v is { type: 'json_schema'; schema: Record<string, unknown> } {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Json;
  return f.type === 'json_schema' && typeof f.schema === 'object' && f.schema !== null && !Array.isArray(f.schema) && Object.keys(f).every((k) => k === 'type' || k === 'schema');
}

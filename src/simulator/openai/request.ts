/**
 * Validation of Chat Completions bodies with the API's own messages (the checks a router can trip
 * over: unknown arguments, message roles and content parts, tool-call / tool-message pairing, tool
 * names, reasoning-model parameters), then sizing and turn extraction.
 */
import { countChars, tokensForChars } from '../tokens.js';
import type { Segment } from '../implicit-cache.js';
import type { TurnRequest } from '../turn.js';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface RequestError {
  message: string;
  param: string | null;
  code: string | null;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: RequestError };

function fail(message: string, param: string | null = null, code: string | null = null): { ok: false; error: RequestError } {
  return { ok: false, error: { message, param, code } };
}

/** OpenAI's request arguments plus the extras OpenAI-compatible vendors accept; anything else is a 400. */
const KNOWN_ARGUMENTS = new Set([
  // OpenAI
  'model', 'messages', 'audio', 'frequency_penalty', 'function_call', 'functions', 'logit_bias', 'logprobs',
  'max_completion_tokens', 'max_tokens', 'metadata', 'modalities', 'n', 'parallel_tool_calls', 'prediction',
  'presence_penalty', 'prompt_cache_key', 'prompt_cache_options', 'prompt_cache_retention', 'reasoning_effort', 'response_format',
  'safety_identifier', 'seed', 'service_tier', 'stop', 'store', 'stream', 'stream_options', 'temperature',
  'tool_choice', 'tools', 'top_logprobs', 'top_p', 'user', 'verbosity', 'web_search_options',
  // OpenAI-compatible vendors (OpenRouter, DeepSeek, Groq, vLLM, Mistral, Qwen/GLM)
  'reasoning', 'include_reasoning', 'reasoning_format', 'thinking', 'enable_thinking', 'chat_template_kwargs',
  'top_k', 'min_p', 'repetition_penalty', 'provider', 'transforms', 'models', 'route', 'safe_prompt',
  'random_seed', 'prompt_mode', 'usage',
]);

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
const PART_TYPES = ['text', 'image_url', 'input_audio', 'refusal', 'audio', 'file'];
const TOOL_NAME = /^[a-zA-Z0-9_-]+$/;
const MAX_TOOL_NAME = 64;

/** o-series and gpt-5 reasoning models: `max_completion_tokens` only, default temperature only. */
export function isReasoningModel(model: string): boolean {
  return /^o\d(?:$|-)/.test(model) || (/^gpt-5(?:$|[.-])/.test(model) && !model.includes('-chat'));
}

export interface ChatRequest {
  body: Json;
  model: string;
  stream: boolean;
  includeUsage: boolean;
  includeObfuscation: boolean;
  maxTokens?: number;
  messages: Json[];
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a decimal';
  return `a ${typeof v}`;
}

function invalidType(param: string, expected: string, got: unknown): { ok: false; error: RequestError } {
  return fail(`Invalid type for '${param}': expected ${expected}, but got ${typeName(got)} instead.`, param, 'invalid_type');
}

function supported(values: string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}

function checkInteger(body: Json, name: string, min: number): { ok: false; error: RequestError } | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) return invalidType(name, 'an integer', v);
  if (v < min) {
    return fail(`Invalid '${name}': integer below minimum value. Expected a value >= ${min}, but got ${v} instead.`, name, 'integer_below_min_value');
  }
  return undefined;
}

function checkNumber(body: Json, name: string, min: number, max: number): { ok: false; error: RequestError } | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') return invalidType(name, 'a decimal', v);
  if (v < min) return fail(`Invalid '${name}': decimal below minimum value. Expected a value >= ${min}, but got ${v} instead.`, name, 'decimal_below_min_value');
  if (v > max) return fail(`Invalid '${name}': decimal above maximum value. Expected a value <= ${max}, but got ${v} instead.`, name, 'decimal_above_max_value');
  return undefined;
}

/** Content as string or an array of parts of the allowed types; `textOnly` for tool/system/developer. */
function checkContent(content: unknown, at: string, allowed: readonly string[]): { ok: false; error: RequestError } | undefined {
  if (typeof content === 'string') return undefined;
  if (!Array.isArray(content)) return invalidType(`${at}.content`, 'one of a string or array of objects', content);
  for (let j = 0; j < content.length; j++) {
    const part: unknown = content[j];
    const p = `${at}.content[${j}]`;
    if (!isObject(part)) return invalidType(p, 'an object', part);
    if (part.type === undefined) return fail(`Missing required parameter: '${p}.type'.`, `${p}.type`, 'missing_required_parameter');
    if (typeof part.type !== 'string' || !PART_TYPES.includes(part.type)) {
      return fail(`Invalid value: '${String(part.type)}'. Supported values are: ${supported(PART_TYPES)}.`, `${p}.type`, 'invalid_value');
    }
    if (!allowed.includes(part.type)) {
      return fail(`Invalid value: '${part.type}'. Supported values are: ${supported([...allowed])}.`, `${p}.type`, 'invalid_value');
    }
    if (part.type === 'text' && typeof part.text !== 'string') {
      return part.text === undefined
        ? fail(`Missing required parameter: '${p}.text'.`, `${p}.text`, 'missing_required_parameter')
        : invalidType(`${p}.text`, 'a string', part.text);
    }
    if (part.type === 'image_url' && !(isObject(part.image_url) && typeof part.image_url.url === 'string')) {
      return fail(`Missing required parameter: '${p}.image_url.url'.`, `${p}.image_url.url`, 'missing_required_parameter');
    }
  }
  return undefined;
}

const USER_PARTS = ['text', 'image_url', 'input_audio', 'file'];
const ASSISTANT_PARTS = ['text', 'refusal'];
const TEXT_PARTS = ['text'];

function checkToolCalls(calls: unknown, at: string): { ok: false; error: RequestError } | undefined {
  if (!Array.isArray(calls)) return invalidType(`${at}.tool_calls`, 'an array of objects', calls);
  for (let k = 0; k < calls.length; k++) {
    const c: unknown = calls[k];
    const p = `${at}.tool_calls[${k}]`;
    if (!isObject(c)) return invalidType(p, 'an object', c);
    if (typeof c.id !== 'string') return fail(`Missing required parameter: '${p}.id'.`, `${p}.id`, 'missing_required_parameter');
    if (c.type !== undefined && c.type !== 'function' && c.type !== 'custom') {
      return fail(`Invalid value: '${String(c.type)}'. Supported values are: 'function' and 'custom'.`, `${p}.type`, 'invalid_value');
    }
    if (c.type === 'custom') continue;
    if (!isObject(c.function)) return fail(`Missing required parameter: '${p}.function'.`, `${p}.function`, 'missing_required_parameter');
    if (typeof c.function.name !== 'string') return fail(`Missing required parameter: '${p}.function.name'.`, `${p}.function.name`, 'missing_required_parameter');
    if (c.function.arguments === undefined) {
      return fail(`Missing required parameter: '${p}.function.arguments'.`, `${p}.function.arguments`, 'missing_required_parameter');
    }
    if (typeof c.function.arguments !== 'string') return invalidType(`${p}.function.arguments`, 'a string', c.function.arguments);
  }
  return undefined;
}

function checkMessages(messages: unknown[]): Checked<Json[]> {
  /** Tool-call ids of the latest assistant message still waiting for their tool messages. */
  let pending: { at: number; ids: Set<string> } | undefined;
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    const at = `messages[${i}]`;
    if (!isObject(m)) return invalidType(at, 'an object', m);
    if (m.role === undefined) return fail(`Missing required parameter: '${at}.role'.`, `${at}.role`, 'missing_required_parameter');
    if (typeof m.role !== 'string' || !ROLES.includes(m.role)) {
      return fail(`Invalid value: '${String(m.role)}'. Supported values are: ${supported(ROLES)}.`, `${at}.role`, 'invalid_value');
    }
    if (m.role !== 'tool' && pending && pending.ids.size > 0) {
      return fail(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. ` +
          `The following tool_call_ids did not have response messages: ${[...pending.ids].join(', ')}`,
        `messages.[${pending.at}].role`,
      );
    }
    switch (m.role) {
      case 'system':
      case 'developer': {
        if (m.content === undefined) return fail(`Missing required parameter: '${at}.content'.`, `${at}.content`, 'missing_required_parameter');
        const e = checkContent(m.content, at, TEXT_PARTS);
        if (e) return e;
        pending = undefined;
        break;
      }
      case 'user': {
        if (m.content === undefined) return fail(`Missing required parameter: '${at}.content'.`, `${at}.content`, 'missing_required_parameter');
        const e = checkContent(m.content, at, USER_PARTS);
        if (e) return e;
        pending = undefined;
        break;
      }
      case 'assistant': {
        const hasCalls = Array.isArray(m.tool_calls) && m.tool_calls.length > 0;
        if (m.tool_calls !== undefined && m.tool_calls !== null) {
          const e = checkToolCalls(m.tool_calls, at);
          if (e) return e;
        }
        if ((m.content === undefined || m.content === null) && !hasCalls && m.function_call === undefined && m.audio === undefined) {
          return fail(`Invalid value for 'content': expected a string, got null.`, `messages.[${i}].content`);
        }
        if (m.content !== undefined && m.content !== null) {
          const e = checkContent(m.content, at, ASSISTANT_PARTS);
          if (e) return e;
        }
        pending = hasCalls ? { at: i, ids: new Set((m.tool_calls as Json[]).map((c) => String(c.id))) } : undefined;
        break;
      }
      case 'tool': {
        if (m.tool_call_id === undefined) return fail(`Missing required parameter: '${at}.tool_call_id'.`, `${at}.tool_call_id`, 'missing_required_parameter');
        if (typeof m.tool_call_id !== 'string') return invalidType(`${at}.tool_call_id`, 'a string', m.tool_call_id);
        if (m.content === undefined) return fail(`Missing required parameter: '${at}.content'.`, `${at}.content`, 'missing_required_parameter');
        const e = checkContent(m.content, at, TEXT_PARTS);
        if (e) return e;
        if (!pending) {
          return fail(`Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`, `messages.[${i}].role`);
        }
        if (!pending.ids.delete(m.tool_call_id)) {
          return fail(`Invalid parameter: 'tool_call_id' of '${m.tool_call_id}' not found in 'tool_calls' of previous message.`, `messages.[${i}].tool_call_id`);
        }
        break;
      }
      default:
        pending = undefined;
    }
  }
  if (pending && pending.ids.size > 0) {
    return fail(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. ` +
        `The following tool_call_ids did not have response messages: ${[...pending.ids].join(', ')}`,
      `messages.[${pending.at}].role`,
    );
  }
  return { ok: true, value: messages as Json[] };
}

function checkTools(tools: unknown): { ok: false; error: RequestError } | undefined {
  if (!Array.isArray(tools)) return invalidType('tools', 'an array of objects', tools);
  if (tools.length === 0) {
    return fail(`Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.`, 'tools', 'empty_array');
  }
  for (let i = 0; i < tools.length; i++) {
    const t: unknown = tools[i];
    const at = `tools[${i}]`;
    if (!isObject(t)) return invalidType(at, 'an object', t);
    if (t.type !== 'function' && t.type !== 'custom') {
      return t.type === undefined
        ? fail(`Missing required parameter: '${at}.type'.`, `${at}.type`, 'missing_required_parameter')
        : fail(`Invalid value: '${String(t.type)}'. Supported values are: 'function' and 'custom'.`, `${at}.type`, 'invalid_value');
    }
    if (t.type === 'custom') continue;
    if (!isObject(t.function)) return fail(`Missing required parameter: '${at}.function'.`, `${at}.function`, 'missing_required_parameter');
    const name = t.function.name;
    const p = `${at}.function.name`;
    if (name === undefined) return fail(`Missing required parameter: '${p}'.`, p, 'missing_required_parameter');
    if (typeof name !== 'string') return invalidType(p, 'a string', name);
    if (name.length > MAX_TOOL_NAME) {
      return fail(`Invalid '${p}': string too long. Expected a string with maximum length ${MAX_TOOL_NAME}, but got a string with length ${name.length} instead.`, p, 'string_above_max_length');
    }
    if (!TOOL_NAME.test(name)) {
      return fail(`Invalid '${p}': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, p, 'invalid_value');
    }
    const params = t.function.parameters;
    if (params !== undefined && !isObject(params)) return invalidType(`${at}.function.parameters`, 'an object', params);
  }
  return undefined;
}

export function checkChatBody(body: unknown): Checked<ChatRequest> {
  if (!isObject(body)) return invalidType('body', 'an object', body);
  for (const key of Object.keys(body)) {
    if (!KNOWN_ARGUMENTS.has(key)) return fail(`Unrecognized request argument supplied: ${key}`);
  }
  if (body.model === undefined || body.model === null || body.model === '') return fail('you must provide a model parameter');
  if (typeof body.model !== 'string') return invalidType('model', 'a string', body.model);
  const model = body.model;
  if (body.messages === undefined) return fail(`Missing required parameter: 'messages'.`, 'messages', 'missing_required_parameter');
  if (!Array.isArray(body.messages)) return invalidType('messages', 'an array of objects', body.messages);
  if (body.messages.length === 0) {
    return fail(`Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.`, 'messages', 'empty_array');
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') return invalidType('stream', 'a boolean', body.stream);
  const stream = body.stream === true;
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!stream) return fail(`The 'stream_options' parameter is only allowed when 'stream' is enabled.`, 'stream_options');
    if (!isObject(body.stream_options)) return invalidType('stream_options', 'an object', body.stream_options);
  }
  const reasoning = isReasoningModel(model);
  if (reasoning && body.max_tokens !== undefined && body.max_tokens !== null) {
    return fail(
      `Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.`,
      'max_tokens',
      'unsupported_parameter',
    );
  }
  for (const name of ['max_tokens', 'max_completion_tokens', 'n']) {
    const e = checkInteger(body, name, 1);
    if (e) return e;
  }
  const te = checkNumber(body, 'temperature', 0, 2) ?? checkNumber(body, 'top_p', 0, 1);
  if (te) return te;
  if (reasoning && typeof body.temperature === 'number' && body.temperature !== 1) {
    return fail(
      `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`,
      'temperature',
      'unsupported_value',
    );
  }
  if (body.stop !== undefined && body.stop !== null && typeof body.stop !== 'string') {
    if (!Array.isArray(body.stop) || body.stop.some((s) => typeof s !== 'string')) return invalidType('stop', 'one of a string or array of strings', body.stop);
    if (body.stop.length > 4) {
      return fail(`Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${body.stop.length} instead.`, 'stop', 'array_above_max_length');
    }
  }
  if (body.tools !== undefined && body.tools !== null) {
    const e = checkTools(body.tools);
    if (e) return e;
  }
  const tc = body.tool_choice;
  if (tc !== undefined && tc !== null && typeof tc === 'string' && !['none', 'auto', 'required'].includes(tc)) {
    return fail(`Invalid value: '${tc}'. Supported values are: 'none', 'auto', and 'required'.`, 'tool_choice', 'invalid_value');
  }
  if (tc !== undefined && tc !== null && typeof tc !== 'string' && !isObject(tc)) return invalidType('tool_choice', 'one of a string or object', tc);
  const messages = checkMessages(body.messages);
  if (!messages.ok) return messages;
  const so = isObject(body.stream_options) ? body.stream_options : {};
  const maxRaw = body.max_completion_tokens ?? body.max_tokens;
  return {
    ok: true,
    value: {
      body,
      model,
      stream,
      includeUsage: stream && so.include_usage === true,
      includeObfuscation: so.include_obfuscation !== false,
      maxTokens: typeof maxRaw === 'number' ? maxRaw : undefined,
      messages: messages.value,
    },
  };
}

/** Tokens the API adds per message and to prime the reply, on top of the content estimate. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING_TOKENS = 3;

export interface PromptSize {
  tokens: number;
  /** Tools first, then each message: the boundaries automatic prompt caching can cut at. */
  segments: Segment[];
}

export function promptSize(req: ChatRequest): PromptSize {
  const segments: Segment[] = [];
  const tools = req.body.tools;
  if (Array.isArray(tools) && tools.length > 0) segments.push({ chars: countChars(tools), value: tools });
  for (const m of req.messages) segments.push({ chars: countChars(m), value: m });
  let chars = 0;
  for (const s of segments) chars += s.chars;
  return { tokens: tokensForChars(chars) + TOKENS_PER_MESSAGE * req.messages.length + REPLY_PRIMING_TOKENS, segments };
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const p of content) if (isObject(p) && p.type === 'text' && typeof p.text === 'string') texts.push(p.text);
  return texts.join(' ');
}

/** Whether the request turns reasoning on, in any of the dialects OpenAI-compatible vendors use. */
function wantsReasoning(body: Json): boolean {
  const effort = body.reasoning_effort;
  if (typeof effort === 'string' && effort !== 'none') return true;
  const r = body.reasoning;
  if (isObject(r) && r.enabled !== false && r.exclude !== true && (r.effort === undefined || r.effort !== 'none')) return true;
  const th = body.thinking;
  if (isObject(th) && (th.type === 'enabled' || th.type === 'adaptive')) return true;
  if (body.enable_thinking === true) return true;
  const kw = body.chat_template_kwargs;
  return isObject(kw) && (kw.enable_thinking === true || kw.thinking === true);
}

/** The tool `tool_choice` forces: `required` (the first tool), a named function, or allowed_tools in required mode. */
function forcedTool(body: Json): string | undefined {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  const firstName = (list: Json[]): string | undefined => {
    for (const t of list) if (isObject(t.function) && typeof t.function.name === 'string') return t.function.name;
    return undefined;
  };
  const tc = body.tool_choice;
  if (tc === 'required') return firstName(tools);
  if (!isObject(tc)) return undefined;
  if (tc.type === 'function' && isObject(tc.function) && typeof tc.function.name === 'string') return tc.function.name;
  const allowed = tc.allowed_tools;
  if (tc.type === 'allowed_tools' && isObject(allowed) && allowed.mode === 'required' && Array.isArray(allowed.tools)) return firstName(allowed.tools.filter(isObject));
  return undefined;
}

export function toTurnRequest(req: ChatRequest, label: string | undefined): TurnRequest {
  let lastUserText = '';
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i];
    if (m.role === 'user' || m.role === 'tool') {
      lastUserText = textOf(m.content);
      break;
    }
  }
  const stop = req.body.stop;
  return {
    model: req.model,
    lastUserText,
    thinking: wantsReasoning(req.body),
    thinkingOmitted: false,
    maxTokens: req.maxTokens,
    stopSequences: typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop.filter((s): s is string => typeof s === 'string') : [],
    label,
    forcedTool: forcedTool(req.body),
    json: isObject(req.body.response_format) && (req.body.response_format.type === 'json_object' || req.body.response_format.type === 'json_schema'),
  };
}

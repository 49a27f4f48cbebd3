import { CodecError } from '../canonical/codec.js';
import type { ReasoningEffort, Request, ResponseFormat, Tool, ToolChoice } from '../canonical/types.js';
import { decodeMessages } from './messages-decode.js';
import { REASONING_EFFORTS } from './reasoning.js';
import { isObj, num, str, type Obj } from './wire.js';

/** Keys of `extensions.openai` this codec reads back itself instead of copying them onto the upstream body. */
export const EXT_CUSTOM_TOOLS = 'custom_tools';

/** Fields with a canonical meaning; everything else goes to `extensions.openai` untouched. */
const MAPPED = new Set([
  'model', 'messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'stream', 'stream_options',
  'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'reasoning_effort', 'reasoning', 'seed', 'user',
  'n', 'functions', 'function_call',
]);

function fail(message: string, param?: string): never {
  throw new CodecError(message, param);
}

function optNumber(body: Obj, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`Invalid type for '${key}': expected a number.`, key);
  return v;
}

function optInteger(body: Obj, key: string, min: number): number | undefined {
  const v = optNumber(body, key);
  if (v !== undefined && (!Number.isInteger(v) || v < min)) fail(`Invalid '${key}': expected an integer >= ${min}, got ${v}.`, key);
  return v;
}

function decodeFunctionTool(fn: unknown, path: string): Tool {
  if (!isObj(fn) || typeof fn.name !== 'string' || fn.name === '') fail(`Missing required parameter: '${path}.name'.`, `${path}.name`);
  if (fn.parameters !== undefined && fn.parameters !== null && !isObj(fn.parameters)) {
    fail(`Invalid type for '${path}.parameters': expected a JSON Schema object.`, `${path}.parameters`);
  }
  const tool: Tool = { name: fn.name, inputSchema: isObj(fn.parameters) ? fn.parameters : { type: 'object', properties: {} } };
  if (typeof fn.description === 'string') tool.description = fn.description;
  if (typeof fn.strict === 'boolean') tool.strict = fn.strict;
  return tool;
}

function decodeTools(body: Obj, ext: Obj): Tool[] | undefined {
  if (Array.isArray(body.functions) && body.tools === undefined) {
    return body.functions.map((fn, i) => decodeFunctionTool(fn, `functions[${i}]`));
  }
  if (body.tools === undefined || body.tools === null) return undefined;
  if (!Array.isArray(body.tools)) fail(`Invalid type for 'tools': expected an array.`, 'tools');
  const tools: Tool[] = [];
  const custom: unknown[] = [];
  body.tools.forEach((t, i) => {
    if (!isObj(t)) fail(`Invalid type for 'tools[${i}]': expected an object.`, `tools[${i}]`);
    if (t.type === 'function' || t.type === undefined) tools.push(decodeFunctionTool(t.function, `tools[${i}].function`));
    else custom.push(t);
  });
  if (custom.length) ext[EXT_CUSTOM_TOOLS] = custom;
  return tools;
}

function decodeToolChoice(body: Obj, ext: Obj): ToolChoice | undefined {
  const raw = body.tool_choice ?? (body.functions !== undefined ? body.function_call : undefined);
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'auto') return { type: 'auto' };
  if (raw === 'required') return { type: 'any' };
  if (raw === 'none') return { type: 'none' };
  if (!isObj(raw)) fail(`Invalid value for 'tool_choice': expected "none", "auto", "required" or an object.`, 'tool_choice');
  if (raw.type === 'function' || (raw.type === undefined && typeof raw.name === 'string')) {
    const name = isObj(raw.function) ? str(raw.function.name) : str(raw.name);
    if (!name) fail(`Missing required parameter: 'tool_choice.function.name'.`, 'tool_choice.function.name');
    return { type: 'tool', name };
  }
  // allowed_tools and custom-tool choices have no canonical form: the nearest meaning for a foreign upstream, the exact
  // value for an OpenAI one.
  ext.tool_choice = raw;
  if (raw.type === 'allowed_tools' && isObj(raw.allowed_tools) && raw.allowed_tools.mode === 'required') return { type: 'any' };
  return { type: 'auto' };
}

function decodeResponseFormat(raw: unknown): ResponseFormat | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) fail(`Invalid type for 'response_format': expected an object.`, 'response_format');
  switch (raw.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const js = raw.json_schema;
      if (!isObj(js)) fail(`Missing required parameter: 'response_format.json_schema'.`, 'response_format.json_schema');
      if (js.schema !== undefined && !isObj(js.schema)) fail(`Invalid type for 'response_format.json_schema.schema': expected an object.`, 'response_format.json_schema.schema');
      const rf: ResponseFormat = { type: 'json_schema', schema: isObj(js.schema) ? js.schema : {} };
      if (typeof js.name === 'string') rf.name = js.name;
      if (typeof js.strict === 'boolean') rf.strict = js.strict;
      if (typeof js.description === 'string') rf.description = js.description;
      return rf;
    }
    default:
      fail(`Invalid value for 'response_format.type': expected text, json_object or json_schema.`, 'response_format.type');
  }
}

function decodeEffort(raw: unknown, param: string): ReasoningEffort | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || !(REASONING_EFFORTS as readonly string[]).includes(raw)) {
    fail(`Invalid value for '${param}': expected one of ${REASONING_EFFORTS.join(', ')}.`, param);
  }
  return raw as ReasoningEffort;
}

function decodeStop(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return [raw];
  if (!Array.isArray(raw) || raw.some((s) => typeof s !== 'string')) fail(`Invalid type for 'stop': expected a string or an array of strings.`, 'stop');
  return raw.length ? (raw as string[]) : undefined;
}

/** An OpenAI Chat Completions request body → canonical request. Throws CodecError naming the offending field. */
export function decodeRequest(body: unknown): Request {
  if (!isObj(body)) fail('The request body must be a JSON object.');
  if (typeof body.model !== 'string' || body.model === '') fail(`Missing required parameter: 'model'.`, 'model');
  const n = optInteger(body, 'n', 1);
  if (n !== undefined && n !== 1) fail(`Invalid 'n': only n=1 is supported (got ${n}).`, 'n');

  const ext: Obj = {};
  for (const [k, v] of Object.entries(body)) if (!MAPPED.has(k)) ext[k] = v;

  const { system, systemKind, messages } = decodeMessages(body.messages);
  const req: Request = { model: body.model, system, messages, stream: body.stream === true, extensions: { openai: ext } };
  if (systemKind) req.systemKind = systemKind;

  const maxTokens = optInteger(body, 'max_completion_tokens', 1) ?? optInteger(body, 'max_tokens', 1);
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const temperature = optNumber(body, 'temperature');
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optNumber(body, 'top_p');
  if (topP !== undefined) req.topP = topP;
  if (num(body.top_k) !== undefined) req.topK = body.top_k as number;
  const seed = optInteger(body, 'seed', Number.MIN_SAFE_INTEGER);
  if (seed !== undefined) req.seed = seed;
  const stop = decodeStop(body.stop);
  if (stop) req.stop = stop;

  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!isObj(body.stream_options)) fail(`Invalid type for 'stream_options': expected an object.`, 'stream_options');
    if (body.stream_options.include_usage === true) req.includeUsage = true;
    const { include_usage: _, ...rest } = body.stream_options;
    if (Object.keys(rest).length) ext.stream_options = rest;
  }

  const tools = decodeTools(body, ext);
  if (tools) req.tools = tools;
  const toolChoice = decodeToolChoice(body, ext);
  if (body.parallel_tool_calls !== undefined && body.parallel_tool_calls !== null) {
    if (typeof body.parallel_tool_calls !== 'boolean') fail(`Invalid type for 'parallel_tool_calls': expected a boolean.`, 'parallel_tool_calls');
    req.parallelToolCalls = body.parallel_tool_calls;
  }
  if (toolChoice) {
    if (req.parallelToolCalls === false && toolChoice.type !== 'none') toolChoice.disableParallel = true;
    req.toolChoice = toolChoice;
  }

  const responseFormat = decodeResponseFormat(body.response_format);
  if (responseFormat) req.responseFormat = responseFormat;

  const effort = decodeEffort(body.reasoning_effort, 'reasoning_effort') ?? (isObj(body.reasoning) ? decodeEffort(body.reasoning.effort, 'reasoning.effort') : undefined);
  if (effort) req.reasoningEffort = effort;
  if (isObj(body.reasoning) && num(body.reasoning.max_tokens) !== undefined && !effort) {
    req.thinking = { type: 'enabled', budgetTokens: body.reasoning.max_tokens as number };
  }

  const user = body.user ?? body.safety_identifier;
  if (user !== undefined && user !== null) {
    if (typeof user !== 'string') fail(`Invalid type for 'user': expected a string.`, 'user');
    req.user = user;
  }
  return req;
}

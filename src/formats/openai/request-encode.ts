import { createHash } from 'node:crypto';
import type { UpstreamTarget } from '../canonical/codec.js';
import type { Request, ResponseFormat, Tool, ToolChoice } from '../canonical/types.js';
import { openaiToolName } from './ids.js';
import { encodeMessages, type CacheMode } from './messages-encode.js';
import { requestedEffort } from './reasoning.js';
import { EXT_CUSTOM_TOOLS } from './request-decode.js';
import { isObj, type Obj } from './wire.js';

/** OpenAI's limit on `user`; Claude Code's metadata.user_id is about 150 characters. */
const MAX_USER = 64;

function encodeTool(tool: Tool, target: UpstreamTarget, fromOpenai: boolean): Obj {
  let parameters = tool.inputSchema;
  if (target.quirks.stripSchemaKeyword && '$schema' in parameters) {
    const { $schema: _, ...rest } = parameters;
    parameters = rest;
  }
  const fn: Obj = { name: openaiToolName(tool.name) };
  if (tool.description !== undefined) fn.description = tool.description;
  fn.parameters = parameters;
  // strict:true demands a schema shape (all properties required, no additional ones) only an OpenAI client vouches for.
  if (fromOpenai && tool.strict !== undefined) fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

function encodeToolChoice(choice: ToolChoice): unknown {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: openaiToolName(choice.name) } };
  }
}

function encodeResponseFormat(rf: ResponseFormat, fromOpenai: boolean): Obj {
  if (rf.type !== 'json_schema') return { type: rf.type };
  const js: Obj = { name: rf.name ?? 'response', schema: rf.schema };
  if (rf.description !== undefined) js.description = rf.description;
  if (fromOpenai && rf.strict !== undefined) js.strict = rf.strict;
  return { type: 'json_schema', json_schema: js };
}

/** The last long user id and its hash: an agent sends the same one every turn (Claude Code's is ~150 characters). */
let lastUser = '';
let lastUserHash = '';

/** A user id OpenAI accepts, stable for the same input so per-user routing and abuse tracking still work. */
export function upstreamUser(user: string): string {
  if (user.length <= MAX_USER) return user;
  if (user !== lastUser) {
    lastUserHash = createHash('sha256').update(user, 'utf8').digest('hex');
    lastUser = user;
  }
  return lastUserHash;
}

function cacheMode(req: Request, target: UpstreamTarget): CacheMode {
  if (target.quirks.cacheControl) return 'cache_control';
  const options = req.extensions.openai?.prompt_cache_options;
  return isObj(options) && options.mode === 'explicit' ? 'prompt_cache_breakpoint' : 'none';
}

/**
 * Canonical request → OpenAI Chat Completions body for one upstream. Every vendor difference comes from
 * `target.quirks`; fields only an OpenAI client could have sent (`extensions.openai`) are copied back unchanged.
 */
export function encodeRequest(req: Request, target: UpstreamTarget): Obj {
  const q = target.quirks;
  const ext = req.extensions.openai;
  const fromOpenai = ext !== undefined;
  const body: Obj = { model: target.model, messages: encodeMessages(req, { quirks: q, cacheMode: cacheMode(req, target) }) };

  if (req.maxTokens !== undefined) {
    const max = target.maxOutputTokens !== undefined ? Math.min(req.maxTokens, target.maxOutputTokens) : req.maxTokens;
    body[q.maxTokensField ?? 'max_tokens'] = max;
  }
  if (!q.noSampling) {
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (req.topP !== undefined) body.top_p = req.topP;
  }
  if (req.stop?.length) body.stop = q.maxStop !== undefined ? req.stop.slice(0, q.maxStop) : req.stop;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.user !== undefined && !(ext && ext.safety_identifier === req.user)) body.user = upstreamUser(req.user);
  if (req.responseFormat) body.response_format = encodeResponseFormat(req.responseFormat, fromOpenai);

  const effort = requestedEffort(req);
  if (effort !== undefined && q.reasoningRequest !== 'none') {
    if (q.reasoningRequest === 'reasoning_object') body.reasoning = { effort };
    else body.reasoning_effort = effort;
  }

  const tools: unknown[] = (req.tools ?? []).map((t) => encodeTool(t, target, fromOpenai));
  if (ext && Array.isArray(ext[EXT_CUSTOM_TOOLS])) tools.push(...ext[EXT_CUSTOM_TOOLS]);
  const sendTools = req.tools !== undefined || tools.length > 0 ? !(tools.length === 0 && q.omitEmptyTools) : false;
  if (sendTools) {
    body.tools = tools;
    // OpenAI rejects tool_choice and parallel_tool_calls without tools.
    if (req.toolChoice && !q.noToolChoice) body.tool_choice = encodeToolChoice(req.toolChoice);
    const disableParallel = req.toolChoice && req.toolChoice.type !== 'none' && req.toolChoice.disableParallel;
    if (disableParallel || req.parallelToolCalls === false) body.parallel_tool_calls = false;
    else if (req.parallelToolCalls === true) body.parallel_tool_calls = true;
  }

  if (req.stream) {
    body.stream = true;
    // Always ask for usage: accounting needs it whether or not the client wants the usage chunk.
    if (q.streamUsage !== false) body.stream_options = { ...(isObj(ext?.stream_options) ? ext.stream_options : {}), include_usage: true };
  }

  if (ext) {
    for (const [k, v] of Object.entries(ext)) {
      if (k === EXT_CUSTOM_TOOLS || k === 'stream_options') continue;
      if (k === 'tool_choice') {
        if (sendTools && !q.noToolChoice) body.tool_choice = v;
        continue;
      }
      if (!(k in body)) body[k] = v;
    }
  }
  return body;
}

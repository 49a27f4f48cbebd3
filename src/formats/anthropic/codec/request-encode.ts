import type { UpstreamTarget } from '../../canonical/codec.js';
import type { Request, ToolChoice } from '../../canonical/types.js';
import { anthropicExtensions, RESERVED_KEYS, SERVER_TOOLS_KEY, TOOL_FIELDS_KEY, type AnthropicExtensions } from './extensions.js';
import { buildHistory } from './history.js';
import { EFFORT_BUDGET, encodeThinking, fitBudget, toolTurnLacksThinking } from './reasoning.js';
import { compact, encodeCacheControl, isObject, type Json } from './wire.js';

/** Default `max_tokens` when neither the client nor the provider configuration gives one. */
export const DEFAULT_MAX_TOKENS = 4096;

/** Appended to the system prompt for `response_format: {type: "json_object"}`, which Anthropic has no switch for. */
export const JSON_OBJECT_INSTRUCTION = 'Respond with a single valid JSON object and nothing else: no prose, no Markdown code fences.';

/**
 * Canonical request → Anthropic Messages body for an Anthropic upstream. A request decoded from an Anthropic client
 * (it has `extensions.anthropic`) comes back as the client sent it, modulo the normalisations listed in README.md;
 * a request from another format is adapted to what the Messages API accepts.
 */
export function encodeRequest(req: Request, target: UpstreamTarget): Json {
  const ext = anthropicExtensions(req);
  const sameFormat = ext !== undefined;

  let maxTokens = req.maxTokens ?? target.defaultMaxTokens ?? DEFAULT_MAX_TOKENS;
  if (target.maxOutputTokens !== undefined && maxTokens > target.maxOutputTokens) maxTokens = target.maxOutputTokens;
  const maxTokensLowered = req.maxTokens !== undefined && maxTokens < req.maxTokens;

  const history = buildHistory(req.system, req.messages, { sameFormat });
  if (req.responseFormat?.type === 'json_object') history.system.push({ type: 'text', text: JSON_OBJECT_INSTRUCTION });

  const body: Json = { model: target.model, messages: history.messages, max_tokens: maxTokens };
  if (history.system.length) body.system = history.system;

  // Thinking: the client's own setting, else one derived from a foreign client's reasoning effort.
  let thinking: Json | undefined;
  let derivedThinking = false;
  if (req.thinking) {
    thinking = encodeThinking(req.thinking);
    if (thinking.type === 'enabled' && (maxTokensLowered || !sameFormat) && (thinking.budget_tokens as number) >= maxTokens) {
      const budget = fitBudget(thinking.budget_tokens as number, maxTokens);
      thinking = budget === undefined ? undefined : { ...thinking, budget_tokens: budget };
    }
  } else if (!sameFormat && req.reasoningEffort && req.reasoningEffort !== 'none') {
    const budget = fitBudget(EFFORT_BUDGET[req.reasoningEffort], maxTokens);
    if (budget !== undefined && !toolTurnLacksThinking(history.messages)) {
      thinking = { type: 'enabled', budget_tokens: budget };
      derivedThinking = true;
    }
  }
  if (thinking) body.thinking = thinking;
  const thinkingOn = thinking !== undefined && thinking.type !== 'disabled';

  const outputConfig: Json = { ...(isObject(ext?.output_config) ? ext.output_config : {}) };
  // Effort levels are Anthropic's own only when the client was Anthropic; for others the effort became a budget.
  if (sameFormat && req.reasoningEffort) outputConfig.effort = req.reasoningEffort;
  if (req.responseFormat?.type === 'json_schema') outputConfig.format = { type: 'json_schema', schema: req.responseFormat.schema };
  if (Object.keys(outputConfig).length) body.output_config = outputConfig;

  if (req.temperature !== undefined && !derivedThinking) body.temperature = Math.min(1, Math.max(0, req.temperature));
  // Thinking forbids changing temperature and top_k, and allows top_p only from 0.95.
  if (req.topP !== undefined && !(derivedThinking && req.topP < 0.95)) body.top_p = req.topP;
  if (req.topK !== undefined && !derivedThinking) body.top_k = req.topK;
  const stops = req.stop?.filter((s) => /\S/.test(s));
  if (stops?.length) body.stop_sequences = stops;
  if (req.stream) body.stream = true;

  const tools = encodeTools(req, ext, sameFormat);
  if (tools) body.tools = tools;
  const toolChoice = encodeToolChoice(req, thinkingOn);
  if (toolChoice && (sameFormat || tools?.length)) body.tool_choice = toolChoice;

  if (req.user !== undefined) body.metadata = { user_id: req.user };
  const cacheControl = encodeCacheControl(req.cacheControl);
  if (cacheControl) body.cache_control = cacheControl;

  if (ext) {
    for (const [k, v] of Object.entries(ext)) {
      if (RESERVED_KEYS.includes(k) || k === 'output_config' || k in body) continue;
      body[k] = v;
    }
  }
  return body;
}

function encodeTools(req: Request, ext: AnthropicExtensions | undefined, sameFormat: boolean): Json[] | undefined {
  const fields = ext?.[TOOL_FIELDS_KEY] ?? {};
  const tools: Json[] = (req.tools ?? []).map((t) =>
    compact({
      ...fields[t.name],
      name: t.name,
      description: t.description,
      input_schema: t.inputSchema,
      strict: t.strict,
      cache_control: encodeCacheControl(t.cacheControl),
    }),
  );
  const server = ext?.[SERVER_TOOLS_KEY] ?? [];
  // Back into their original positions, so an unchanged tool list is byte-for-byte the client's order.
  for (const s of [...server].sort((a, b) => a.index - b.index)) tools.splice(Math.min(s.index, tools.length), 0, s.tool);
  if (tools.length === 0 && !(sameFormat && req.tools)) return undefined;
  return tools;
}

function encodeToolChoice(req: Request, thinkingOn: boolean): Json | undefined {
  let tc: ToolChoice | undefined = req.toolChoice;
  if (!tc && req.parallelToolCalls === false) tc = { type: 'auto', disableParallel: true };
  if (!tc) return undefined;
  if (tc.type === 'none') return { type: 'none' };
  const disable = tc.disableParallel ?? (req.parallelToolCalls === false ? true : undefined);
  // With thinking on Anthropic accepts only auto/none: a forced call becomes a strong suggestion.
  const forced = thinkingOn && (tc.type === 'any' || tc.type === 'tool');
  const out: Json = forced ? { type: 'auto' } : tc.type === 'tool' ? { type: 'tool', name: tc.name } : { type: tc.type };
  if (disable !== undefined) out.disable_parallel_tool_use = disable;
  return out;
}

/**
 * OpenAI usage: `prompt_tokens` includes cached tokens, `completion_tokens` includes reasoning
 * (wire-formats 3.3); scripted overrides use the Anthropic vocabulary of `ScriptedUsage` and are
 * mapped the way the router maps Anthropic usage to OpenAI (5.9.2).
 */
import type { ScriptedUsage } from '../types.js';
import type { OpenAIUsage } from './encode.js';

export interface UsageInputs {
  promptTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export function buildUsage(u: UsageInputs, o: Partial<ScriptedUsage>): OpenAIUsage {
  const cached = o.cache_read_input_tokens ?? u.cachedTokens;
  const written = o.cache_creation_input_tokens ?? 0;
  const input = o.input_tokens ?? Math.max(0, u.promptTokens - u.cachedTokens);
  const prompt = input + cached + written;
  const completion = o.output_tokens ?? u.outputTokens;
  const details: OpenAIUsage['prompt_tokens_details'] = { cached_tokens: cached, audio_tokens: 0 };
  if (written > 0) details.cache_write_tokens = written;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: details,
    completion_tokens_details: {
      reasoning_tokens: Math.min(u.reasoningTokens, completion),
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

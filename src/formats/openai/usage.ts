import type { Usage } from '../canonical/types.js';
import { isObj, num, type WireUsage } from './wire.js';

/**
 * OpenAI usage ↔ canonical usage (wire-formats 5.9.2). `prompt_tokens` includes cache reads and writes, canonical
 * `input` does not. `completion_tokens` includes reasoning, except at vendors (xAI) whose total shows it does not:
 * there `total_tokens = prompt + completion + reasoning`, and canonical output adds the reasoning back.
 */
export function decodeUsage(raw: unknown): Usage {
  const u = (isObj(raw) ? raw : {}) as WireUsage;
  const prompt = num(u.prompt_tokens) ?? 0;
  const completion = num(u.completion_tokens) ?? 0;
  const promptDetails = isObj(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const completionDetails = isObj(u.completion_tokens_details) ? u.completion_tokens_details : {};
  const cacheRead = num(promptDetails.cached_tokens) ?? num(u.prompt_cache_hit_tokens) ?? num(u.cache_read_input_tokens) ?? 0;
  const cacheWrite = num(promptDetails.cache_write_tokens) ?? num(u.cache_creation_input_tokens) ?? 0;
  const reasoning = num(completionDetails.reasoning_tokens) ?? 0;
  const total = num(u.total_tokens);
  const reasoningOutsideCompletion = reasoning > 0 && total !== undefined && total === prompt + completion + reasoning;
  return {
    input: Math.max(prompt - cacheRead - cacheWrite, 0),
    output: reasoningOutsideCompletion ? completion + reasoning : completion,
    cacheRead,
    cacheWrite,
    reasoning,
  };
}

export interface EncodedUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export function encodeUsage(u: Usage): EncodedUsage {
  const prompt = u.input + u.cacheRead + u.cacheWrite;
  const promptDetails: EncodedUsage['prompt_tokens_details'] = { cached_tokens: u.cacheRead };
  if (u.cacheWrite > 0) promptDetails.cache_write_tokens = u.cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output,
    total_tokens: prompt + u.output,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: { reasoning_tokens: u.reasoning },
  };
}

/**
 * The OpenAI Chat Completions shapes this codec reads and writes, loosely typed: inputs come from clients and vendors
 * that deviate from the spec, so every field is optional and checked where it is used.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export interface WireToolCall {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
  /** Gemini's OpenAI-compatible endpoint: `{google: {thought_signature}}`. */
  extra_content?: { google?: { thought_signature?: string } };
}

export interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  /** DeepSeek. */
  prompt_cache_hit_tokens?: number;
  prompt_cache_miss_tokens?: number;
  /** Vendors relaying Anthropic usage (OpenRouter and others). */
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export interface WireErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

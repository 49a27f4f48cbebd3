import type { Usage } from '../../canonical/types.js';
import { isObject, type Json } from './wire.js';

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Usage fields with a canonical meaning; the rest (service_tier, server_tool_use, inference_geo...) are Anthropic-only. */
export const CANONICAL_USAGE_FIELDS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens', 'cache_creation', 'output_tokens_details'];

/**
 * Applies the counts present in an Anthropic usage object (Message, message_start or the cumulative message_delta)
 * over `base`. `cacheWrite1h` is set only when non-zero, `reasoning` from `output_tokens_details.thinking_tokens`.
 */
export function applyUsage(base: Usage, raw: unknown): Usage {
  const out = { ...base };
  if (!isObject(raw)) return out;
  out.input = count(raw.input_tokens) ?? out.input;
  out.output = count(raw.output_tokens) ?? out.output;
  out.cacheRead = count(raw.cache_read_input_tokens) ?? out.cacheRead;
  out.cacheWrite = count(raw.cache_creation_input_tokens) ?? out.cacheWrite;
  if (isObject(raw.cache_creation)) {
    const h1 = count(raw.cache_creation.ephemeral_1h_input_tokens);
    if (h1 !== undefined) {
      if (h1 > 0) out.cacheWrite1h = h1;
      else delete out.cacheWrite1h;
    }
  }
  if (isObject(raw.output_tokens_details)) out.reasoning = count(raw.output_tokens_details.thinking_tokens) ?? out.reasoning;
  return out;
}

/** Canonical usage → the Anthropic `usage` of a Message (and of message_start). */
export function encodeUsage(u: Usage, extra?: Json): Json {
  const h1 = Math.min(u.cacheWrite1h ?? 0, u.cacheWrite);
  const out: Json = {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheWrite,
    cache_read_input_tokens: u.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite - h1, ephemeral_1h_input_tokens: h1 },
    output_tokens: u.output,
  };
  if (u.reasoning > 0) out.output_tokens_details = { thinking_tokens: u.reasoning };
  return extra ? { ...extra, ...out } : out;
}

/** Canonical usage → the cumulative usage of the final message_delta (the SDK overwrites its snapshot with these). */
export function encodeDeltaUsage(u: Usage): Json {
  const out: Json = { input_tokens: u.input, cache_creation_input_tokens: u.cacheWrite, cache_read_input_tokens: u.cacheRead, output_tokens: u.output };
  if (u.reasoning > 0) out.output_tokens_details = { thinking_tokens: u.reasoning };
  return out;
}

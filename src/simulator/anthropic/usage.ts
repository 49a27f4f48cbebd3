/**
 * Anthropic usage accounting: prompt-cache emulation over the breakpoints found by `analyzePrompt`,
 * then scripted overrides.
 *
 * Cache model: a request writes the prefix at each of its breakpoints; a later request reads the
 * longest known prefix found at or up to 20 blocks before one of its breakpoints (the API's
 * lookback). Read tokens = that prefix; creation = the rest up to the last breakpoint, split into
 * 5m/1h by the TTL of the breakpoint closing each segment; input = everything after.
 * No minimum cacheable length is enforced (the real API skips prefixes under ~1-4k tokens).
 */
import type { PrefixCache } from '../prefix-cache.js';
import { tokensForChars } from '../tokens.js';
import type { ScriptedUsage } from '../types.js';
import { LOOKBACK_BLOCKS, type PromptAnalysis } from './request.js';

/** Tokens the API adds for message framing on top of the content estimate. */
export const FRAMING_TOKENS = 3;

export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  service_tier: 'standard';
  inference_geo: 'not_available';
}

export function promptTokens(a: PromptAnalysis): number {
  return tokensForChars(a.chars) + FRAMING_TOKENS;
}

export interface InputUsage {
  input: number;
  read: number;
  creation5m: number;
  creation1h: number;
}

export function inputUsage(a: PromptAnalysis, cache: PrefixCache): InputUsage {
  const total = promptTokens(a);
  if (a.breakpoints.length === 0) return { input: total, read: 0, creation5m: 0, creation1h: 0 };
  const bps = [...a.breakpoints].sort((x, y) => x.index - y.index);
  const tok = (i: number): number => (i < 0 ? 0 : tokensForChars(a.cumChars[i]));
  let hit = -1;
  for (const bp of bps) {
    const lowest = Math.max(0, bp.index - LOOKBACK_BLOCKS + 1);
    for (let i = bp.index; i >= lowest && i > hit; i--) {
      const h = a.hashes[i];
      if (h !== undefined && cache.has(h)) {
        hit = i;
        break;
      }
    }
  }
  const read = tok(hit);
  let creation5m = 0;
  let creation1h = 0;
  let prev = hit;
  for (const bp of bps) {
    if (bp.index <= hit) continue;
    const seg = tok(bp.index) - tok(prev);
    if (bp.ttl === '1h') creation1h += seg;
    else creation5m += seg;
    prev = bp.index;
    cache.add(a.hashes[bp.index]);
  }
  return { input: total - read - creation5m - creation1h, read, creation5m, creation1h };
}

export function buildUsage(inp: InputUsage, outputTokens: number, o: Partial<ScriptedUsage>): AnthropicUsage {
  let c5 = inp.creation5m;
  let c1 = inp.creation1h;
  if (o.cache_creation_input_tokens !== undefined) {
    c5 = o.cache_creation_input_tokens;
    c1 = 0;
  }
  return {
    input_tokens: o.input_tokens ?? inp.input,
    cache_creation_input_tokens: c5 + c1,
    cache_read_input_tokens: o.cache_read_input_tokens ?? inp.read,
    cache_creation: { ephemeral_5m_input_tokens: c5, ephemeral_1h_input_tokens: c1 },
    output_tokens: o.output_tokens ?? outputTokens,
    service_tier: 'standard',
    inference_geo: 'not_available',
  };
}

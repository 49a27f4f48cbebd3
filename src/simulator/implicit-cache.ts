/**
 * Automatic prompt caching as OpenAI and Gemini do it: no markers in the request; a prompt that starts
 * with a prefix an earlier request had (cut at a segment boundary: tools, system, each message) reads
 * that prefix from the cache once it is long enough. Anthropic's explicit breakpoints live in
 * `anthropic/usage.ts` instead.
 */
import { createHash } from 'node:crypto';
import type { PrefixCache } from './prefix-cache.js';
import { tokensForChars } from './tokens.js';

/** One cacheable unit of a prompt: its billed size and the value whose serialisation identifies it. */
export interface Segment {
  chars: number;
  value: unknown;
}

export interface ImplicitCacheRule {
  /** Prefixes shorter than this are never cached (OpenAI: 1024 tokens). */
  minTokens: number;
  /** Cached counts are reported in multiples of this (OpenAI: 128); 1 for exact. */
  granularity: number;
}

/**
 * Tokens of the longest previously seen prefix (0 when none), remembering every eligible prefix of
 * this prompt for later requests. `namespace` keeps protocols and models apart.
 */
export function implicitCacheRead(cache: PrefixCache, namespace: string, segments: readonly Segment[], rule: ImplicitCacheRule): number {
  let total = 0;
  for (const s of segments) total += s.chars;
  // Small prompts (most tests, the benchmark) skip the hashing entirely.
  if (tokensForChars(total) < rule.minTokens) return 0;
  const hash = createHash('sha1').update(namespace).update('\u0000');
  let chars = 0;
  let hit = 0;
  const fresh: string[] = [];
  for (const s of segments) {
    hash.update(typeof s.value === 'string' ? s.value : JSON.stringify(s.value) ?? '').update('\u0001');
    chars += s.chars;
    const tokens = tokensForChars(chars);
    if (tokens < rule.minTokens) continue;
    const digest = hash.copy().digest('base64');
    if (cache.has(digest)) hit = tokens;
    else fresh.push(digest);
  }
  for (const d of fresh) cache.add(d);
  return rule.granularity > 1 ? Math.floor(hit / rule.granularity) * rule.granularity : hit;
}

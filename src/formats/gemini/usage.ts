import type { Usage } from '../canonical/types.js';
import { isObj, numField } from './fields.js';
import type { GeminiUsageMetadata } from './wire.js';

/**
 * usageMetadata ↔ canonical usage (wire-formats 5.9.2). Gemini's promptTokenCount includes cached content and its
 * candidatesTokenCount excludes thoughts; canonical input excludes cache reads and output includes reasoning.
 * Tool-use prompt tokens (server tools such as code execution) are input the caller pays for, so they count as input.
 */
export function decodeUsage(meta: unknown): Usage {
  const m = isObj(meta) ? meta : {};
  const prompt = numField(m, 'promptTokenCount') ?? 0;
  const toolPrompt = numField(m, 'toolUsePromptTokenCount') ?? 0;
  const cached = numField(m, 'cachedContentTokenCount') ?? 0;
  const candidates = numField(m, 'candidatesTokenCount') ?? 0;
  const thoughts = numField(m, 'thoughtsTokenCount') ?? 0;
  return {
    input: Math.max(prompt + toolPrompt - cached, 0),
    output: candidates + thoughts,
    cacheRead: cached,
    cacheWrite: 0,
    reasoning: thoughts,
  };
}

/**
 * Whether a usageMetadata object carries token counts. Vertex sends `{trafficType}` alone on early chunks and some
 * streams open with all-zero counts; neither may replace an estimate or an earlier real count.
 */
export function hasTokenCounts(meta: unknown): boolean {
  if (!isObj(meta)) return false;
  return ['promptTokenCount', 'candidatesTokenCount', 'totalTokenCount', 'thoughtsTokenCount'].some((k) => (numField(meta, k) ?? 0) > 0);
}

/** Canonical usage as Gemini would report it. Cache writes have no Gemini counterpart and count as prompt tokens. */
export function encodeUsage(u: Usage): GeminiUsageMetadata {
  const prompt = u.input + u.cacheRead + u.cacheWrite;
  const thoughts = Math.min(u.reasoning, u.output);
  const candidates = u.output - thoughts;
  const out: GeminiUsageMetadata = { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates + thoughts };
  if (u.cacheRead > 0) out.cachedContentTokenCount = u.cacheRead;
  if (thoughts > 0) out.thoughtsTokenCount = thoughts;
  return out;
}

/**
 * Prompt token counting for every routed model, on the canonical request (so independent of the client's wire
 * format). Two tiers (docs/token-counting.md):
 * - `estimateInputTokens`: the request path (a translated stream's `message_start`, limit reservations, `auto`'s
 *   context filter, router conditions) and `count_tokens` for non-OpenAI models. Text is estimated without any BPE
 *   table (approx.ts), then scaled and framed by each family's profile, calibrated against recorded traffic.
 * - `countInputTokens`: `count_tokens`. OpenAI families are counted with the real BPE, loaded on the first such
 *   count (~50 MB, ~130 ms); every other family has no public tokenizer and gets `estimateInputTokens`.
 */
import type { Request } from '../canonical/types.js';
import { warmBpe, type BpeEncoding } from './bpe.js';
import { approxTokens } from './approx.js';
import { isOpenAiFamily, type TokenizerFamily } from './family.js';
import { estimateOpenAi } from './openai.js';
import { OPENAI_TEXT_SCALE, profileFor } from './profiles.js';
import { estimateScaled } from './scaled.js';
import { countText, countTextApprox } from './text-count.js';

export { tokenizerFamilyFor, isOpenAiFamily, type TokenizerFamily } from './family.js';

function encodingOf(family: 'openai-o200k' | 'openai-cl100k'): BpeEncoding {
  return family === 'openai-cl100k' ? 'cl100k' : 'o200k';
}

/**
 * Estimated prompt tokens of a request (system, messages, tools, images, replayed reasoning and framing), never
 * loading a BPE table: what the request path uses.
 */
export function estimateInputTokens(req: Request, family: TokenizerFamily): number {
  if (isOpenAiFamily(family)) {
    const scale = OPENAI_TEXT_SCALE[family];
    return estimateOpenAi(req, (s) => (s.length === 0 ? 0 : Math.max(1, Math.round(approxTokens(s) * scale))), `estimate ${family}`);
  }
  return estimateScaled(req, profileFor(family, req.model));
}

/**
 * Prompt tokens for `count_tokens`: OpenAI families counted with their real BPE (loaded on first use), every other
 * family estimated as by `estimateInputTokens` (their tokenizers are not available offline).
 */
export function countInputTokens(req: Request, family: TokenizerFamily): number {
  if (isOpenAiFamily(family)) {
    const encoding = encodingOf(family);
    return estimateOpenAi(req, (s) => countTextApprox(s, encoding), `count ${encoding}`);
  }
  return estimateInputTokens(req, family);
}

/** Tokens of a bare text (no message framing) in the family's tokenizer: exact for OpenAI (loads the BPE), estimated otherwise. */
export function countTextTokens(text: string, family: TokenizerFamily): number {
  if (isOpenAiFamily(family)) return countText(text, encodingOf(family));
  return Math.ceil(approxTokens(text) * profileFor(family, '').textScale);
}

/**
 * Loads the o200k BPE tables now (~130 ms, ~50 MB) instead of on the first exact count. The router does not call
 * it: only `count_tokens` for an OpenAI model needs them (tests and benchmarks do, to time counting warm).
 */
export function warmTokenCounting(): void {
  warmBpe(['o200k']);
}

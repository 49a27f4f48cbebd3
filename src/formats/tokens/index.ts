/**
 * Prompt token counting for every routed model, on the canonical request (so independent of the client's wire
 * format). OpenAI families are counted with the real BPE; Anthropic and Gemini, whose tokenizers are not available
 * offline, with o200k scaled and framed by numbers calibrated against recorded traffic. The router asks the provider
 * for an exact count where it has an endpoint and uses these estimates otherwise and for a translated stream's
 * `message_start`. See docs/token-counting.md.
 */
import type { Request } from '../canonical/types.js';
import { warmBpe, type BpeEncoding } from './bpe.js';
import { isOpenAiFamily, type TokenizerFamily } from './family.js';
import { estimateOpenAi } from './openai.js';
import { profileFor } from './profiles.js';
import { estimateScaled } from './scaled.js';
import { countText, countTextApprox } from './text-count.js';

export { tokenizerFamilyFor, type TokenizerFamily } from './family.js';

function encodingOf(family: 'openai-o200k' | 'openai-cl100k'): BpeEncoding {
  return family === 'openai-cl100k' ? 'cl100k' : 'o200k';
}

/** Estimated prompt tokens of a request: system, messages, tools, images, replayed reasoning and framing. */
export function estimateInputTokens(req: Request, family: TokenizerFamily): number {
  if (isOpenAiFamily(family)) return estimateOpenAi(req, encodingOf(family));
  return estimateScaled(req, profileFor(family, req.model));
}

/** Tokens of a bare text (no message framing) in the family's tokenizer, exact for OpenAI, estimated otherwise. */
export function countTextTokens(text: string, family: TokenizerFamily): number {
  if (isOpenAiFamily(family)) return countText(text, encodingOf(family));
  return Math.ceil(countTextApprox(text) * profileFor(family, '').textScale);
}

/**
 * Loads the BPE tables now (~130 ms) instead of on the first count; call it off the request path, e.g. in a timer
 * once the server listens. Optional: counting loads them on first use anyway.
 */
export function warmTokenCounting(): void {
  warmBpe(['o200k']);
}

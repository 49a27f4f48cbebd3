/**
 * A cheap, deterministic token estimate (~4 characters per token), used for usage numbers.
 * Not a tokenizer: it only has to be stable and roughly proportional to the prompt size.
 */

/** Characters charged for an inline base64 image/document instead of its data length (~1,600 tokens). */
export const INLINE_MEDIA_CHARS = 6400;

export function tokensForChars(chars: number): number {
  return chars <= 0 ? 0 : Math.ceil(chars / 4);
}

export function estimateTokens(text: string): number {
  return tokensForChars(text.length);
}

/**
 * Sum of the string lengths in a JSON value (object keys included, `cache_control` markers and
 * `signature` blobs skipped, inline base64 media charged a flat amount). No allocation.
 */
export function countChars(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return 1;
  if (value === null || typeof value !== 'object') return 0;
  if (Array.isArray(value)) {
    let n = 0;
    for (const item of value) n += countChars(item);
    return n;
  }
  const obj = value as Record<string, unknown>;
  if (obj.type === 'base64' && typeof obj.data === 'string') return INLINE_MEDIA_CHARS;
  let n = 0;
  for (const key in obj) {
    if (key === 'cache_control' || key === 'signature') continue;
    n += key.length + countChars(obj[key]);
  }
  return n;
}

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

/** Keys whose values are opaque blobs or markers that providers do not bill as prompt text. */
const UNBILLED_KEYS = new Set(['cache_control', 'signature', 'thoughtSignature', 'thought_signature']);

/** A `data:` URI carrying base64 media (OpenAI `image_url.url`, `file.file_data`). */
function isDataUri(s: string): boolean {
  return s.length > 256 && s.startsWith('data:') && s.includes(';base64,', 5);
}

/**
 * Sum of the string lengths in a JSON value (object keys included, `cache_control` markers and
 * signature blobs skipped, inline base64 media charged a flat amount: Anthropic `{type:'base64', data}`,
 * Gemini `inlineData {mimeType, data}`, data URIs). No allocation.
 */
export function countChars(value: unknown): number {
  if (typeof value === 'string') return isDataUri(value) ? INLINE_MEDIA_CHARS : value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return 1;
  if (value === null || typeof value !== 'object') return 0;
  if (Array.isArray(value)) {
    let n = 0;
    for (const item of value) n += countChars(item);
    return n;
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.data === 'string' && (obj.type === 'base64' || typeof obj.mimeType === 'string' || typeof obj.mime_type === 'string')) {
    return INLINE_MEDIA_CHARS;
  }
  let n = 0;
  for (const key in obj) {
    if (UNBILLED_KEYS.has(key)) continue;
    n += key.length + countChars(obj[key]);
  }
  return n;
}

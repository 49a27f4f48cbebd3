import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(bytes: Uint8Array, length: number): string {
  let out = '';
  // 248 = 4 * 62: bytes at or above it are skipped so every character is equally likely.
  for (const b of bytes) {
    if (b >= 248) continue;
    out += BASE62[b % 62];
    if (out.length === length) return out;
  }
  return out;
}

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) out += base62(randomBytes(length * 2), length - out.length);
  return out;
}

/**
 * Gemini function calls carry no usable id, so the decoder mints one: `toolu_` + 24 base62 characters, valid as an
 * Anthropic tool_use id and as an OpenAI tool_call id alike (cross-codec convention 3).
 */
export function mintToolCallId(): string {
  return `toolu_${randomBase62(24)}`;
}

/** A stable id for a function call in a Gemini request that has none (so repeated decodes agree). */
export function derivedToolCallId(seed: string): string {
  let out = '';
  for (let i = 0; out.length < 24; i++) out += base62(createHash('sha256').update(`${i}:${seed}`).digest(), 24 - out.length);
  return `toolu_${out}`;
}

/** Id for a response that arrived without `responseId`. */
export function mintResponseId(): string {
  return `gen_${randomBase62(24)}`;
}

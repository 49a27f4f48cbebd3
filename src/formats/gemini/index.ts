import type { Codec } from '../canonical/codec.js';
import { decodeGeminiRequest } from './decode-request.js';
import { decodeGeminiResponse } from './decode-response.js';
import { encodeGeminiRequest } from './encode-request.js';
import { encodeGeminiResponse } from './encode-response.js';
import { decodeGeminiError, encodeGeminiError } from './errors.js';
import { GeminiStreamDecoder } from './stream-decoder.js';
import { GeminiStreamEncoder } from './stream-encoder.js';

/**
 * The Gemini `generateContent` codec. Gemini is an upstream format for Switchyard (clients speak Anthropic or OpenAI),
 * so the request encoder, response/stream decoders and error decoder carry the translation rules; the other
 * directions exist for tests and the simulator. See README.md for the decisions and what is lossy.
 */
export const geminiCodec: Codec = {
  format: 'gemini',
  decodeRequest: decodeGeminiRequest,
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  encodeResponse: encodeGeminiResponse,
  streamDecoder: (ctx) => new GeminiStreamDecoder(ctx),
  streamEncoder: (opts) => new GeminiStreamEncoder(opts),
  encodeError: encodeGeminiError,
  decodeError: decodeGeminiError,
};

export { sanitizeSchemaForGemini, toolParametersForGemini, GEMINI_SCHEMA_KEYWORDS, type GeminiSchemaField, type SanitizeSchemaOptions } from './schema.js';
export { encodeThinking, thinkingStyle, validatesThoughtSignatures, type ThinkingStyle } from './thinking.js';
export { SKIP_SIGNATURE } from './contents.js';
export { mintToolCallId } from './ids.js';
export { parseRetryDelay } from './errors.js';
export { decodeGeminiRequest, decodeGeminiResponse, encodeGeminiRequest, encodeGeminiResponse, decodeGeminiError, encodeGeminiError, GeminiStreamDecoder, GeminiStreamEncoder };
export type * from './wire.js';

import type { Codec } from '../../canonical/codec.js';
import { decodeError, encodeError } from './error-map.js';
import { decodeRequest } from './request-decode.js';
import { encodeRequest } from './request-encode.js';
import { decodeResponse, encodeResponse } from './response.js';
import { AnthropicStreamDecoder } from './stream-decode.js';
import { AnthropicStreamEncoder } from './stream-encode.js';

/** The Anthropic Messages codec (decisions and lossy points: README.md in this folder). */
export const anthropicCodec: Codec = {
  format: 'anthropic',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  streamDecoder: (ctx) => new AnthropicStreamDecoder(ctx),
  streamEncoder: (opts) => new AnthropicStreamEncoder(opts),
  encodeError,
  decodeError,
};

export { decodeRequest } from './request-decode.js';
export { encodeRequest, DEFAULT_MAX_TOKENS, JSON_OBJECT_INSTRUCTION } from './request-encode.js';
export { anthropicServerTools, SERVER_TOOLS_KEY, TOOL_FIELDS_KEY, type AnthropicExtensions } from './extensions.js';
export { sanitizeToolId } from './ids.js';
export { EFFORT_BUDGET } from './reasoning.js';
export { retryAfterSeconds } from './error-map.js';
export { parseToolInput } from './json-repair.js';
export { applyUsage } from './usage.js';

/**
 * The OpenAI Chat Completions codec, for OpenAI and every OpenAI-compatible vendor (vendor differences come only from
 * `UpstreamTarget.quirks`). The only public entry point of this directory; decisions and lossy points are in README.md.
 */
import type { Codec } from '../canonical/codec.js';
import { decodeError, encodeError } from './errors.js';
import { encodeRequest } from './request-encode.js';
import { decodeRequest } from './request-decode.js';
import { decodeResponse } from './response-decode.js';
import { encodeResponse } from './response-encode.js';
import { OpenAIStreamDecoder } from './stream-decode.js';
import { OpenAIStreamEncoder } from './stream-encode.js';

export const openaiCodec: Codec = {
  format: 'openai',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  streamDecoder: (ctx) => new OpenAIStreamDecoder(ctx),
  streamEncoder: (opts) => new OpenAIStreamEncoder(opts),
  encodeError,
  decodeError,
};

export { decodeRequest, encodeRequest, decodeResponse, encodeResponse, decodeError, encodeError };
export { OpenAIStreamDecoder, OpenAIStreamEncoder };
export { decodeUsage, encodeUsage } from './usage.js';
export { decodeFinishReason, encodeStopReason } from './finish.js';
export { parseToolArguments, repairJsonObject } from './json-args.js';
export { alnum9ToolCallId, upstreamToolCallId, openaiToolName, restoreToolName, MAX_TOOL_CALL_ID } from './ids.js';
export { effortForBudget, requestedEffort } from './reasoning.js';
export { retryAfterSeconds, kindForStatus } from './errors.js';
export { parseDataUri } from './content-decode.js';
export { upstreamUser } from './request-encode.js';

import { anthropicCodec } from './anthropic/codec/index.js';
import type { Codec } from './canonical/codec.js';
import type { WireFormat } from './canonical/types.js';
import { geminiCodec } from './gemini/index.js';
import { openaiCodec } from './openai/index.js';

const CODECS: Record<WireFormat, Codec> = { anthropic: anthropicCodec, openai: openaiCodec, gemini: geminiCodec };

/** The codec of a wire format: decodes it to the canonical form and encodes it back. */
export function codecFor(format: WireFormat): Codec {
  return CODECS[format];
}

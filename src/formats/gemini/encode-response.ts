import type { ClientEncodeOptions } from '../canonical/codec.js';
import type { Response } from '../canonical/types.js';
import { isObj, type Obj } from './fields.js';
import { encodeFinishReason } from './finish.js';
import { responseParts } from './response-parts.js';
import { encodeUsage } from './usage.js';
import type { GeminiCandidate, GeminiResponse } from './wire.js';

/** A canonical response as a `generateContent` body, restoring Gemini-only members kept by the decoder. */
export function encodeGeminiResponse(res: Response, opts: ClientEncodeOptions): GeminiResponse {
  const ext = res.extensions?.gemini;
  const candidateExtras = isObj(ext?.candidate) ? (ext.candidate as Obj) : {};
  const responseExtras = isObj(ext?.response) ? (ext.response as Obj) : {};
  const parts = responseParts(res.content);
  const candidate: GeminiCandidate = { ...candidateExtras };
  if (parts.length > 0) candidate.content = { role: 'model', parts };
  candidate.finishReason = encodeFinishReason(res.stopReason);
  candidate.index = 0;
  const body: GeminiResponse = { ...responseExtras, candidates: [candidate], usageMetadata: encodeUsage(res.usage), modelVersion: opts.model, responseId: res.id };
  const metadata = opts.metadata?.();
  if (metadata) body.metadata = metadata;
  return body;
}

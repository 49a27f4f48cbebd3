import { CodecError } from '../canonical/codec.js';
import type { Response } from '../canonical/types.js';
import { assembleEvents, toResponse } from './assemble.js';
import { isObj, type Obj } from './fields.js';
import { ResponseEvents } from './response-events.js';

/**
 * A `generateContent` body → canonical response, through the same event machine as the stream decoder so both agree
 * on block boundaries, signatures and stop reasons. Grounding, citations and other Gemini-only members are kept in
 * `extensions.gemini` for a Gemini client.
 */
export function decodeGeminiResponse(body: unknown, ctx: { provider: string; model: string }): Response {
  if (!isObj(body)) throw new CodecError('Gemini response body is not a JSON object');
  if (isObj(body.error)) throw new CodecError(`Gemini returned an error body: ${String((body.error as Obj).message ?? 'unknown error')}`);
  const machine = new ResponseEvents(ctx);
  const events = [...machine.chunk(body), ...machine.close(true)];
  const assembled = assembleEvents(events);
  if (assembled.error) throw new CodecError(assembled.error.message);
  const res = toResponse(assembled);
  const gemini: Obj = {};
  if (Object.keys(machine.extras.response).length > 0) gemini.response = machine.extras.response;
  if (Object.keys(machine.extras.candidate).length > 0) gemini.candidate = machine.extras.candidate;
  if (Object.keys(gemini).length > 0) res.extensions = { gemini };
  return res;
}

import type { StreamDecoder } from '../canonical/codec.js';
import type { StreamEvent } from '../canonical/types.js';
import { ResponseEvents, type DecodeContext } from './response-events.js';

/**
 * Reads `streamGenerateContent?alt=sse`: every SSE data payload is one GenerateContentResponse chunk (no event names,
 * no [DONE]). The stream is complete only if a chunk carried a finishReason (or the prompt was blocked); `end()`
 * then emits the held finish with the last usage, otherwise an error.
 */
export class GeminiStreamDecoder implements StreamDecoder {
  private readonly events: ResponseEvents;

  constructor(ctx: DecodeContext) {
    this.events = new ResponseEvents(ctx);
  }

  push(_event: string | undefined, data: string): StreamEvent[] {
    if (data.trim() === '') return [];
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return this.events.fail({ status: 502, kind: 'api_error', message: 'Gemini stream sent a chunk that is not valid JSON' });
    }
    return this.events.chunk(chunk);
  }

  end(): StreamEvent[] {
    return this.events.close();
  }
}

import type { ClientEncodeOptions, StreamEncoder } from '../canonical/codec.js';
import type { StreamEvent } from '../canonical/types.js';
import { encodeEvent } from '../sse/index.js';
import { errorBody } from './errors.js';
import { encodeStopReason } from './finish.js';
import { completionId, nowSeconds } from './response-encode.js';
import { encodeUsage } from './usage.js';
import type { Obj } from './wire.js';

/** Where a chunk's delta goes in its JSON (a key in a string would have its quotes escaped, so this is the member). */
const DELTA_PLACEHOLDER = '"choices":[{"index":0,"delta":0';

/**
 * Writes canonical events as `chat.completion.chunk` SSE for an OpenAI client (convention 6): a role chunk first,
 * content / reasoning_content / tool_calls deltas (tool calls numbered from 0 in start order, so interleaved canonical
 * blocks need no buffering), the finish chunk, the usage chunk when asked for, Switchyard's `metadata` on the last
 * chunk, then `[DONE]` — or, after an error, the error chunk and nothing else.
 */
export class OpenAIStreamEncoder implements StreamEncoder {
  private id = '';
  private readonly created = nowSeconds();
  private started = false;
  private finished = false;
  private errored = false;
  /** Canonical block index → tool_calls index. */
  private readonly toolIndex = new Map<number, number>();
  /** Tool calls that have not streamed any argument text yet. */
  private readonly noArgsYet = new Set<number>();
  /** What every delta chunk's event has before and after its delta (see `chunk`), once the id is known. */
  private chunkHead = '';
  private chunkTail = '';

  constructor(private readonly opts: ClientEncodeOptions) {}

  push(event: StreamEvent): string {
    if (this.finished || this.errored) return '';
    if (event.type === 'error') {
      this.errored = true;
      return encodeEvent(undefined, JSON.stringify(errorBody(event.error)));
    }
    let out = '';
    if (!this.started) {
      this.started = true;
      this.id = completionId(event.type === 'start' ? event.id : undefined);
      out += this.chunk({ role: 'assistant', content: '' });
    }
    switch (event.type) {
      case 'text_delta':
        return out + this.chunk({ content: event.text });
      case 'thinking_delta':
        return out + this.chunk({ reasoning_content: event.text });
      case 'block_start':
        if (event.block.type !== 'tool_call') return out;
        this.toolIndex.set(event.index, this.toolIndex.size);
        this.noArgsYet.add(event.index);
        return out + this.chunk({ tool_calls: [{ index: this.toolIndex.get(event.index), id: event.block.id, type: 'function', function: { name: event.block.name, arguments: '' } }] });
      case 'tool_args_delta': {
        const index = this.toolIndex.get(event.index);
        if (index === undefined || event.json === '') return out;
        this.noArgsYet.delete(event.index);
        return out + this.chunk({ tool_calls: [{ index, function: { arguments: event.json } }] });
      }
      case 'block_stop': {
        // A call without arguments still needs valid JSON arguments, as OpenAI itself sends for one: "{}".
        const index = this.toolIndex.get(event.index);
        if (index === undefined || !this.noArgsYet.delete(event.index)) return out;
        return out + this.chunk({ tool_calls: [{ index, function: { arguments: '{}' } }] });
      }
      case 'finish':
        return out + this.finish(event);
      default:
        return out;
    }
  }

  end(): string {
    return this.errored ? '' : 'data: [DONE]\n\n';
  }

  private base(): Obj {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.opts.model };
  }

  /**
   * A delta chunk's SSE event: the JSON of `{...base(), choices: [{index: 0, delta, logprobs: null, finish_reason:
   * null}], usage: null (when asked for)}`, written around the delta's own JSON. All but the delta is the same for
   * the whole stream, and a stream is mostly text deltas: building and serialising the whole object per delta was
   * most of what encoding a small stream cost. JSON has no raw line breaks, so it is one `data:` line.
   */
  private chunk(delta: Obj): string {
    if (this.chunkHead === '') {
      // The chunk's own JSON with a placeholder delta, cut at it: the same fields and key order as any other chunk.
      const body: Obj = { ...this.base(), choices: [{ index: 0, delta: 0, logprobs: null, finish_reason: null }] };
      if (this.opts.includeUsage) body.usage = null;
      const json = JSON.stringify(body);
      const at = json.indexOf(DELTA_PLACEHOLDER) + DELTA_PLACEHOLDER.length - 1;
      this.chunkHead = `data: ${json.slice(0, at)}`;
      this.chunkTail = `${json.slice(at + 1)}\n\n`;
    }
    return this.chunkHead + JSON.stringify(delta) + this.chunkTail;
  }

  private finish(event: Extract<StreamEvent, { type: 'finish' }>): string {
    this.finished = true;
    const finishBody: Obj = { ...this.base(), choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: encodeStopReason(event.stopReason) }] };
    if (!this.opts.includeUsage) {
      if (this.opts.metadata) finishBody.metadata = this.opts.metadata();
      return encodeEvent(undefined, JSON.stringify(finishBody));
    }
    finishBody.usage = null;
    const usageBody: Obj = { ...this.base(), choices: [], usage: encodeUsage(event.usage) };
    if (this.opts.metadata) usageBody.metadata = this.opts.metadata();
    return encodeEvent(undefined, JSON.stringify(finishBody)) + encodeEvent(undefined, JSON.stringify(usageBody));
  }
}

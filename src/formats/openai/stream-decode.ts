import type { StreamDecoder } from '../canonical/codec.js';
import { emptyUsage, type ErrorInfo, type SignatureOrigin, type StreamEvent, type Usage } from '../canonical/types.js';
import { streamErrorInfo } from './errors.js';
import { decodeFinishReason } from './finish.js';
import { mintToolCallId, randomId, restoreToolName } from './ids.js';
import { mistralThinkingText } from './messages-decode.js';
import { geminiToolSignature, type DecodeContext } from './response-decode.js';
import { decodeUsage } from './usage.js';
import { isObj, num, str, type Obj } from './wire.js';

interface ToolState {
  id: string;
  name: string;
  /** Canonical block index once started (it starts when its name is known). */
  block?: number;
  /** Argument text received before the block could start. */
  pending: string;
  signature?: string;
  closed: boolean;
}

export interface OpenAIStreamContext extends DecodeContext {
  /** The prompt's estimated usage for the start event: OpenAI reports usage only at the end. */
  estimateInput?: () => Usage;
}

/**
 * Reads `chat.completion.chunk` data payloads. Text and reasoning blocks are sequential; tool-call blocks stay open
 * until the finish so fragments for any call (vendors interleave them, omit `index`, or reuse index 0 for every call)
 * land on the right block; canonical events may therefore interleave across tool calls. The finish is held until the
 * usage chunk, `[DONE]` or the end of the stream, because the usage chunk comes after the finish_reason chunk.
 */
export class OpenAIStreamDecoder implements StreamDecoder {
  private started = false;
  private done = false;
  private nextIndex = 0;
  private readonly open: number[] = [];
  private text: number | null = null;
  private thinking: number | null = null;
  private readonly tools: ToolState[] = [];
  private readonly byIndex = new Map<number, ToolState>();
  private finishReason: unknown = undefined;
  private usage: Usage | null = null;
  private refused = false;
  private readonly origin: SignatureOrigin;

  constructor(private readonly ctx: OpenAIStreamContext) {
    this.origin = { format: 'openai', provider: ctx.provider, model: ctx.model };
  }

  push(_event: string | undefined, data: string): StreamEvent[] {
    if (this.done) return [];
    const text = data.trim();
    if (text === '') return [];
    if (text === '[DONE]') return this.complete();
    let chunk: unknown;
    try {
      chunk = JSON.parse(text);
    } catch {
      return this.fail({ status: 502, kind: 'api_error', message: `provider ${this.ctx.provider} sent a stream chunk that is not valid JSON` });
    }
    if (!isObj(chunk)) return this.fail({ status: 502, kind: 'api_error', message: `provider ${this.ctx.provider} sent a stream chunk that is not a JSON object` });
    if (chunk.error !== undefined && chunk.error !== null) return this.fail(streamErrorInfo(chunk.error));

    const out: StreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      out.push({ type: 'start', id: str(chunk.id) || randomId('chatcmpl-'), model: str(chunk.model) || this.ctx.model, usage: this.startUsage() });
    }
    const usage = chunk.usage ?? (isObj(chunk.x_groq) ? chunk.x_groq.usage : undefined);
    if (isObj(usage)) this.usage = decodeUsage(usage);
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      // Only the first choice exists for n=1; anything else is ignored rather than mixed in.
      if (isObj(choice) && (choice.index === undefined || choice.index === 0)) this.choice(choice, out);
    }
    if (choices.length === 0 && this.finishReason !== undefined && this.usage) out.push(...this.complete());
    return out;
  }

  end(): StreamEvent[] {
    if (this.done) return [];
    if (this.finishReason !== undefined) return this.complete();
    return this.fail({ status: 502, kind: 'api_error', message: `provider ${this.ctx.provider} ended the stream early, before the response was complete` });
  }

  private startUsage(): Usage {
    return this.ctx.estimateInput?.() ?? emptyUsage();
  }

  private fail(error: ErrorInfo): StreamEvent[] {
    this.done = true;
    return [{ type: 'error', error }];
  }

  private choice(choice: Obj, out: StreamEvent[]): void {
    const delta = isObj(choice.delta) ? choice.delta : {};
    const reasoning = str(delta.reasoning_content) || str(delta.reasoning);
    if (reasoning) this.thinkingDelta(reasoning, out);
    if (typeof delta.content === 'string') {
      if (delta.content !== '') this.textDelta(delta.content, out);
    } else if (Array.isArray(delta.content)) {
      for (const part of delta.content) {
        if (!isObj(part)) continue;
        if (part.type === 'thinking') {
          const t = mistralThinkingText(part);
          if (t) this.thinkingDelta(t, out);
        } else if (typeof part.text === 'string' && part.text !== '') {
          this.textDelta(part.text, out);
        }
      }
    }
    if (typeof delta.refusal === 'string' && delta.refusal !== '') {
      this.refused = true;
      this.textDelta(delta.refusal, out);
    }
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) if (isObj(call)) this.toolDelta(call, out);
    if (isObj(delta.function_call)) this.toolDelta({ index: -1, function: delta.function_call }, out);
    if (choice.finish_reason !== undefined && choice.finish_reason !== null) {
      this.finishReason = choice.finish_reason;
      this.closeAll(out);
    }
  }

  private startBlock(block: Extract<StreamEvent, { type: 'block_start' }>['block'], out: StreamEvent[]): number {
    const index = this.nextIndex++;
    this.open.push(index);
    out.push({ type: 'block_start', index, block });
    return index;
  }

  private stop(index: number | null, out: StreamEvent[]): void {
    if (index === null) return;
    const at = this.open.indexOf(index);
    if (at < 0) return;
    this.open.splice(at, 1);
    out.push({ type: 'block_stop', index });
  }

  private thinkingDelta(text: string, out: StreamEvent[]): void {
    if (this.thinking === null) {
      this.stop(this.text, out);
      this.text = null;
      this.thinking = this.startBlock({ type: 'thinking', signatureOrigin: this.origin }, out);
    }
    out.push({ type: 'thinking_delta', index: this.thinking, text });
  }

  private textDelta(text: string, out: StreamEvent[]): void {
    if (this.text === null) {
      this.stop(this.thinking, out);
      this.thinking = null;
      this.text = this.startBlock({ type: 'text' }, out);
    }
    out.push({ type: 'text_delta', index: this.text, text });
  }

  /** The call a fragment belongs to: by index, unless the index is missing or reused for a call with a new id. */
  private toolFor(call: Obj, id: string | undefined, name: string | undefined): ToolState {
    const index = num(call.index);
    let state: ToolState | undefined;
    if (index !== undefined) {
      state = this.byIndex.get(index);
      if (state && id && state.id && id !== state.id) state = undefined;
    } else {
      const last = this.tools.at(-1);
      const isNew = last !== undefined && (id ? last.id !== '' && id !== last.id : name !== undefined && last.name !== '');
      if (last && !isNew) state = last;
    }
    if (!state || state.closed) {
      state = { id: id ?? '', name: name ?? '', pending: '', closed: false };
      this.tools.push(state);
      if (index !== undefined) this.byIndex.set(index, state);
    }
    return state;
  }

  private toolDelta(call: Obj, out: StreamEvent[]): void {
    const fn = isObj(call.function) ? call.function : {};
    const id = str(call.id) || undefined;
    const name = str(fn.name) || undefined;
    const args = typeof fn.arguments === 'string' ? fn.arguments : isObj(fn.arguments) ? JSON.stringify(fn.arguments) : '';
    const state = this.toolFor(call, id, name);
    if (id && !state.id) state.id = id;
    if (name && !state.name) state.name = name;
    const signature = geminiToolSignature(call);
    if (state.block === undefined) {
      if (signature) state.signature = signature;
      state.pending += args;
      if (state.name) this.startTool(state, out);
      return;
    }
    if (signature) out.push({ type: 'signature_delta', index: state.block, signature, signatureOrigin: this.geminiOrigin() });
    if (args) out.push({ type: 'tool_args_delta', index: state.block, json: args });
  }

  private geminiOrigin(): SignatureOrigin {
    return { format: 'gemini', provider: this.ctx.provider, model: this.ctx.model };
  }

  private startTool(state: ToolState, out: StreamEvent[]): void {
    this.stop(this.thinking, out);
    this.stop(this.text, out);
    this.thinking = null;
    this.text = null;
    if (!state.id) state.id = mintToolCallId();
    const block: Extract<StreamEvent, { type: 'block_start' }>['block'] = { type: 'tool_call', id: state.id, name: restoreToolName(state.name, this.ctx.toolNames) };
    if (state.signature) {
      block.signature = state.signature;
      block.signatureOrigin = this.geminiOrigin();
    }
    state.block = this.startBlock(block, out);
    if (state.pending) out.push({ type: 'tool_args_delta', index: state.block, json: state.pending });
    state.pending = '';
  }

  /** Stops every open block. A call whose name never arrived cannot be used by any client and is dropped. */
  private closeAll(out: StreamEvent[]): void {
    for (const index of [...this.open].sort((a, b) => a - b)) this.stop(index, out);
    this.text = null;
    this.thinking = null;
    for (const t of this.tools) t.closed = true;
  }

  private complete(): StreamEvent[] {
    if (this.done) return [];
    if (!this.started) {
      return this.fail({ status: 502, kind: 'api_error', message: `provider ${this.ctx.provider} ended the stream without sending a response` });
    }
    const out: StreamEvent[] = [];
    this.closeAll(out);
    this.done = true;
    const hasToolCalls = this.tools.some((t) => t.block !== undefined);
    let stopReason = decodeFinishReason(this.finishReason, hasToolCalls);
    if (this.refused && !hasToolCalls && stopReason === 'end_turn') stopReason = 'refusal';
    out.push({ type: 'finish', stopReason, stopSequence: null, usage: this.usage ?? this.startUsage() });
    return out;
  }
}

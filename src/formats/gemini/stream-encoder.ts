import type { ClientEncodeOptions, StreamEncoder } from '../canonical/codec.js';
import type { StreamEvent, Usage } from '../canonical/types.js';
import { emptyUsage } from '../canonical/types.js';
import { encodeEvent } from '../sse/index.js';
import { encodeGeminiError } from './errors.js';
import { encodeFinishReason } from './finish.js';
import { geminiSignature } from './response-parts.js';
import { encodeUsage } from './usage.js';
import type { GeminiPart, GeminiResponse } from './wire.js';

interface BlockState {
  type: 'text' | 'thinking' | 'tool_call' | 'other';
  name?: string;
  json?: string;
  signature?: string;
}

/**
 * Canonical events → `streamGenerateContent?alt=sse` chunks, the way Gemini streams: text and thought deltas as
 * they come, each function call whole once its arguments are complete, signatures on empty text parts, the
 * finishReason with the final usage on the last chunk. No `[DONE]`: the stream simply ends.
 */
export class GeminiStreamEncoder implements StreamEncoder {
  private id = '';
  private usage: Usage = emptyUsage();
  private readonly blocks = new Map<number, BlockState>();
  private failed = false;

  constructor(private readonly opts: ClientEncodeOptions) {}

  push(ev: StreamEvent): string {
    if (this.failed) return '';
    switch (ev.type) {
      case 'start':
        this.id = ev.id;
        this.usage = ev.usage;
        return '';
      case 'block_start': {
        const b = ev.block;
        if (b.type === 'tool_call') {
          this.blocks.set(ev.index, { type: 'tool_call', name: b.name, json: '', signature: geminiSignature(b.signature, b.signatureOrigin) });
          return '';
        }
        if (b.type === 'opaque') {
          this.blocks.set(ev.index, { type: 'other' });
          return b.format === 'gemini' && typeof b.value === 'object' && b.value !== null ? this.chunk([b.value as GeminiPart]) : '';
        }
        this.blocks.set(ev.index, { type: b.type === 'thinking' ? 'thinking' : b.type === 'text' ? 'text' : 'other' });
        return '';
      }
      case 'text_delta':
        return ev.text === '' ? '' : this.chunk([{ text: ev.text }]);
      case 'thinking_delta':
        return ev.text === '' ? '' : this.chunk([{ text: ev.text, thought: true }]);
      case 'signature_delta': {
        const block = this.blocks.get(ev.index);
        const sig = geminiSignature(ev.signature, ev.signatureOrigin);
        if (!block || sig === undefined) return '';
        if (block.type === 'tool_call') {
          block.signature = sig;
          return '';
        }
        if (block.type === 'thinking') return this.chunk([{ text: '', thought: true, thoughtSignature: sig }]);
        if (block.type === 'text') return this.chunk([{ text: '', thoughtSignature: sig }]);
        return '';
      }
      case 'tool_args_delta': {
        const block = this.blocks.get(ev.index);
        if (block?.type === 'tool_call') block.json += ev.json;
        return '';
      }
      case 'block_stop': {
        const block = this.blocks.get(ev.index);
        this.blocks.delete(ev.index);
        if (block?.type !== 'tool_call') return '';
        const part: GeminiPart = { functionCall: { name: block.name, args: parseArgs(block.json ?? '') } };
        if (block.signature !== undefined) part.thoughtSignature = block.signature;
        return this.chunk([part]);
      }
      case 'finish': {
        this.usage = ev.usage;
        const body: GeminiResponse = {
          candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: encodeFinishReason(ev.stopReason), index: 0 }],
          usageMetadata: encodeUsage(ev.usage),
          modelVersion: this.opts.model,
          responseId: this.id,
        };
        const metadata = this.opts.metadata?.();
        if (metadata) body.metadata = metadata;
        return encodeEvent(undefined, JSON.stringify(body));
      }
      case 'error':
        this.failed = true;
        return encodeEvent(undefined, JSON.stringify(encodeGeminiError(ev.error, this.id).body));
    }
  }

  end(): string {
    return '';
  }

  private chunk(parts: GeminiPart[]): string {
    const body: GeminiResponse = {
      candidates: [{ content: { role: 'model', parts }, index: 0 }],
      usageMetadata: encodeUsage({ ...this.usage, output: 0, reasoning: 0 }),
      modelVersion: this.opts.model,
      responseId: this.id,
    };
    return encodeEvent(undefined, JSON.stringify(body));
  }
}

function parseArgs(json: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(json === '' ? '{}' : json);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

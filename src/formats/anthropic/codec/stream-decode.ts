import { CodecError, type StreamDecoder } from '../../canonical/codec.js';
import { emptyUsage, type ErrorInfo, type StopReason, type StreamEvent, type Usage } from '../../canonical/types.js';
import { decodeBlock } from './blocks-decode.js';
import { kindForType, statusForType } from './error-map.js';
import { parseToolInput } from './json-repair.js';
import { decodeStopReason } from './stop.js';
import { applyUsage } from './usage.js';
import { isObject, type Json } from './wire.js';

/** A block streamed through as it arrives. */
interface LiveBlock {
  live: true;
  index: number;
  /** A non-standard upstream put the tool input in content_block_start; sent if no input_json_delta follows. */
  initialInput?: string;
  sawArgs: boolean;
}

/** A block only Anthropic understands, collected whole and emitted as one opaque block at its stop. */
interface BufferedBlock {
  live: false;
  value: Json;
  json: string;
  sawJson: boolean;
}

/**
 * Upstream Anthropic SSE → canonical events (convention 5).
 *
 * - `ping` is ignored; an `error` event becomes a canonical `error` and ends the stream.
 * - text, thinking (with `signature_delta`), redacted thinking and client `tool_use` blocks stream through live.
 * - Server-tool, MCP and other Anthropic-only blocks are collected until their `content_block_stop` and emitted as
 *   one `opaque` block (start + stop) whose value is the complete block, `input` parsed from the `input_json_delta`
 *   fragments. Their canonical index is assigned when emitted, so indices stay dense and in start order.
 * - `citations_delta` is dropped (the canonical stream has no citation event; the text itself is kept).
 * - `message_delta` usage is cumulative and overwrites the running snapshot; `finish` comes at `message_stop`, or at
 *   the end of the bytes when a `message_delta` with a stop reason arrived (Claude Code accepts that too).
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  private started = false;
  private done = false;
  private next = 0;
  private readonly blocks = new Map<number, LiveBlock | BufferedBlock>();
  private usage: Usage;
  private stopReason: StopReason | undefined;
  private stopSequence: string | null = null;

  /** `estimateInput`: asked for only when the upstream's message_start has no input token count. */
  constructor(private readonly ctx: { provider: string; model: string; estimateInput?: () => Usage }) {
    this.usage = emptyUsage();
  }

  push(event: string | undefined, data: string): StreamEvent[] {
    if (this.done) return [];
    const text = data.trim();
    if (text === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.fail(`the upstream sent an event that is not JSON (${event ?? 'message'}): ${text.slice(0, 200)}`);
    }
    if (!isObject(parsed)) return this.fail('the upstream sent an event that is not a JSON object');
    const type = typeof parsed.type === 'string' ? parsed.type : event;
    if (type === 'ping') return [];
    if (type === 'error') return this.upstreamError(parsed.error);
    if (type === 'message_start') return this.messageStart(parsed.message);
    if (!this.started) return this.fail(`the upstream sent ${type} before message_start`);
    switch (type) {
      case 'content_block_start':
        return this.blockStart(parsed.index, parsed.content_block);
      case 'content_block_delta':
        return this.blockDelta(parsed.index, parsed.delta);
      case 'content_block_stop':
        return this.blockStop(parsed.index);
      case 'message_delta':
        if (isObject(parsed.delta)) {
          if (parsed.delta.stop_reason !== undefined && parsed.delta.stop_reason !== null) this.stopReason = decodeStopReason(parsed.delta.stop_reason);
          if (parsed.delta.stop_sequence !== undefined) this.stopSequence = typeof parsed.delta.stop_sequence === 'string' ? parsed.delta.stop_sequence : null;
        }
        this.usage = applyUsage(this.usage, parsed.usage);
        return [];
      case 'message_stop':
        return this.finish();
      default:
        // Event types newer than this codec carry nothing the canonical stream can say.
        return [];
    }
  }

  end(): StreamEvent[] {
    if (this.done) return [];
    if (this.started && this.stopReason !== undefined) return this.finish();
    return this.fail('the upstream stream ended before the message was complete');
  }

  private messageStart(message: unknown): StreamEvent[] {
    if (this.started) return this.fail('the upstream sent a second message_start');
    this.started = true;
    const m = isObject(message) ? message : {};
    const counted = isObject(m.usage) && typeof m.usage.input_tokens === 'number';
    this.usage = applyUsage(counted ? this.usage : (this.ctx.estimateInput?.() ?? this.usage), m.usage);
    return [
      {
        type: 'start',
        id: typeof m.id === 'string' ? m.id : '',
        model: typeof m.model === 'string' ? m.model : this.ctx.model,
        usage: { ...this.usage },
      },
    ];
  }

  private blockStart(index: unknown, raw: unknown): StreamEvent[] {
    if (typeof index !== 'number' || !isObject(raw) || this.blocks.has(index)) return [];
    let decoded;
    try {
      decoded = decodeBlock(raw, 'content_block');
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      return this.fail(`the upstream sent an invalid content block: ${e.message}`);
    }
    const out: StreamEvent[] = [];
    const live = (): LiveBlock => {
      const b: LiveBlock = { live: true, index: this.next++, sawArgs: false };
      this.blocks.set(index, b);
      return b;
    };
    switch (decoded.type) {
      case 'text': {
        const b = live();
        out.push({ type: 'block_start', index: b.index, block: { type: 'text' } });
        if (decoded.text) out.push({ type: 'text_delta', index: b.index, text: decoded.text });
        break;
      }
      case 'thinking': {
        const b = live();
        out.push({ type: 'block_start', index: b.index, block: { type: 'thinking', signatureOrigin: { format: 'anthropic' } } });
        if (decoded.text) out.push({ type: 'thinking_delta', index: b.index, text: decoded.text });
        // Kept verbatim, even a `sy1:` value from a Switchyard upstream: the origin was declared at block start.
        if (typeof raw.signature === 'string' && raw.signature) out.push({ type: 'signature_delta', index: b.index, signature: raw.signature });
        break;
      }
      case 'redacted_thinking': {
        const b = live();
        out.push({ type: 'block_start', index: b.index, block: { type: 'redacted_thinking', data: decoded.data } });
        break;
      }
      case 'tool_call': {
        const b = live();
        if (Object.keys(decoded.input).length) b.initialInput = JSON.stringify(decoded.input);
        out.push({ type: 'block_start', index: b.index, block: { type: 'tool_call', id: decoded.id, name: decoded.name } });
        break;
      }
      default:
        this.blocks.set(index, { live: false, value: raw, json: '', sawJson: false });
    }
    return out;
  }

  private blockDelta(index: unknown, delta: unknown): StreamEvent[] {
    const b = typeof index === 'number' ? this.blocks.get(index) : undefined;
    if (!b || !isObject(delta)) return [];
    if (!b.live) {
      if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
        b.json += delta.partial_json;
        b.sawJson = true;
      }
      return [];
    }
    switch (delta.type) {
      case 'text_delta':
        return typeof delta.text === 'string' && delta.text ? [{ type: 'text_delta', index: b.index, text: delta.text }] : [];
      case 'thinking_delta':
        return typeof delta.thinking === 'string' && delta.thinking ? [{ type: 'thinking_delta', index: b.index, text: delta.thinking }] : [];
      case 'signature_delta':
        return typeof delta.signature === 'string' && delta.signature ? [{ type: 'signature_delta', index: b.index, signature: delta.signature }] : [];
      case 'input_json_delta':
        if (typeof delta.partial_json !== 'string' || delta.partial_json === '') return [];
        b.sawArgs = true;
        return [{ type: 'tool_args_delta', index: b.index, json: delta.partial_json }];
      default:
        return [];
    }
  }

  private blockStop(index: unknown): StreamEvent[] {
    const b = typeof index === 'number' ? this.blocks.get(index) : undefined;
    if (!b) return [];
    this.blocks.delete(index as number);
    return this.close(b);
  }

  private close(b: LiveBlock | BufferedBlock): StreamEvent[] {
    if (b.live) {
      const out: StreamEvent[] = [];
      if (b.initialInput !== undefined && !b.sawArgs) out.push({ type: 'tool_args_delta', index: b.index, json: b.initialInput });
      out.push({ type: 'block_stop', index: b.index });
      return out;
    }
    const value = b.sawJson ? { ...b.value, input: parseToolInput(b.json) } : b.value;
    const index = this.next++;
    return [
      { type: 'block_start', index, block: { type: 'opaque', format: 'anthropic', value } },
      { type: 'block_stop', index },
    ];
  }

  private finish(): StreamEvent[] {
    const out: StreamEvent[] = [];
    // Anthropic closes every block before message_stop; one left open is closed rather than lost.
    for (const [k, b] of [...this.blocks].sort((x, y) => x[0] - y[0])) {
      this.blocks.delete(k);
      out.push(...this.close(b));
    }
    this.done = true;
    out.push({ type: 'finish', stopReason: this.stopReason ?? 'end_turn', stopSequence: this.stopSequence, usage: { ...this.usage } });
    return out;
  }

  private upstreamError(raw: unknown): StreamEvent[] {
    const e = isObject(raw) ? raw : {};
    const type = typeof e.type === 'string' ? e.type : 'api_error';
    const status = statusForType(type);
    const error: ErrorInfo = { status, kind: kindForType(type, status), message: typeof e.message === 'string' ? e.message : `upstream stream error (${type})` };
    this.done = true;
    return [{ type: 'error', error }];
  }

  private fail(message: string): StreamEvent[] {
    this.done = true;
    return [{ type: 'error', error: { status: 502, kind: 'api_error', message } }];
  }
}

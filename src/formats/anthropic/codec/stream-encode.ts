import { randomBytes } from 'node:crypto';
import type { ClientEncodeOptions, StreamEncoder } from '../../canonical/codec.js';
import type { ErrorInfo, SignatureOrigin, StreamBlockStart, StreamEvent, Usage } from '../../canonical/types.js';
import { signatureCarrier } from './blocks-encode.js';
import { errorType } from './error-map.js';
import { messageId, sanitizeToolId } from './ids.js';
import { clientStopReason } from './response.js';
import { clientSignature, partSignatureOrigin } from './signatures.js';
import { encodeDeltaUsage, encodeUsage } from './usage.js';
import type { Json } from './wire.js';

type DeltaEvent = Extract<StreamEvent, { type: 'text_delta' | 'thinking_delta' | 'signature_delta' | 'tool_args_delta' }>;

interface Block {
  start: StreamBlockStart;
  /** Events that arrived while an earlier block still had the client's attention. */
  pending: DeltaEvent[];
  stopped: boolean;
  /** The client block index, once its content_block_start was written. */
  client?: number;
  /** Signature fragments (thinking: its own; text/tool call: a part signature to carry in a thinking block). */
  signature: string;
  /** A text/tool-call part signature was already written in a carrier block before the block. */
  carried: boolean;
}

function randomMessageId(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return 'msg_' + Array.from(randomBytes(24), (b) => alphabet[b % 62]).join('');
}

/**
 * Canonical events → Anthropic SSE for a client (convention 6).
 *
 * Anthropic clients apply deltas to `content[index]` and the SDK rejects any other order, so blocks are written
 * strictly one after the other: canonical blocks are taken in start order, and the events of a block that starts
 * while an earlier one is still open are held until every earlier block has stopped. Text blocks start lazily at
 * their first non-empty text (Anthropic rejects empty text blocks when the client replays them). Part signatures
 * (Gemini) travel in an empty thinking block just before their text/tool_use block, or just after it when the
 * signature only arrived once the block was under way.
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  private started = false;
  private done = false;
  private readonly order: Block[] = [];
  private readonly byIndex = new Map<number, Block>();
  private head = 0;
  private nextClient = 0;
  private toolUse = false;

  constructor(private readonly opts: ClientEncodeOptions) {}

  push(ev: StreamEvent): string {
    if (this.done) return '';
    let out = '';
    if (!this.started && ev.type !== 'start' && ev.type !== 'error') out += this.messageStart(randomMessageId(), { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    switch (ev.type) {
      case 'start':
        return this.started ? '' : this.messageStart(ev.id ? messageId(ev.id) : randomMessageId(), ev.usage);
      case 'block_start': {
        if (this.byIndex.has(ev.index)) return out;
        const b: Block = { start: ev.block, pending: [], stopped: false, signature: '', carried: false };
        this.byIndex.set(ev.index, b);
        this.order.push(b);
        if (this.order[this.head] === b) out += this.activate(b);
        return out;
      }
      case 'text_delta':
      case 'thinking_delta':
      case 'signature_delta':
      case 'tool_args_delta': {
        const b = this.byIndex.get(ev.index);
        if (!b || b.stopped) return out;
        if (this.order[this.head] === b) out += this.apply(b, ev);
        else b.pending.push(ev);
        return out;
      }
      case 'block_stop': {
        const b = this.byIndex.get(ev.index);
        if (!b || b.stopped) return out;
        b.stopped = true;
        if (this.order[this.head] === b) out += this.advance();
        return out;
      }
      case 'finish': {
        // Blocks the upstream never stopped are closed in order: the message is complete.
        for (const b of this.order.slice(this.head)) b.stopped = true;
        if (this.head < this.order.length) out += this.advance();
        const delta: Json = {
          type: 'message_delta',
          delta: { stop_reason: clientStopReason(ev.stopReason, this.toolUse), stop_sequence: ev.stopSequence ?? null },
          usage: encodeDeltaUsage(ev.usage),
        };
        if (this.opts.metadata) delta.metadata = this.opts.metadata();
        this.done = true;
        return out + frame('message_delta', delta) + MESSAGE_STOP_FRAME;
      }
      case 'error':
        this.done = true;
        return out + errorFrame(ev.error);
    }
  }

  end(): string {
    if (this.done || !this.started) return '';
    this.done = true;
    // Never a silent clean end: the client must learn the message is incomplete.
    return errorFrame({ status: 502, kind: 'api_error', message: 'The upstream stream ended before the message was complete.' });
  }

  private messageStart(id: string, usage: Usage): string {
    this.started = true;
    const message = {
      id,
      type: 'message',
      role: 'assistant',
      model: this.opts.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // Anthropic reports the first output token(s) already here; 0 looks like a broken stream to some clients.
      usage: encodeUsage({ ...usage, output: Math.max(1, usage.output) }),
    };
    return frame('message_start', { type: 'message_start', message }) + PING_FRAME;
  }

  /** The head block stopped: close it, then bring later blocks forward while they are complete. */
  private advance(): string {
    let out = this.finishBlock(this.order[this.head]);
    this.head++;
    while (this.head < this.order.length) {
      const b = this.order[this.head];
      out += this.activate(b);
      if (!b.stopped) break;
      out += this.finishBlock(b);
      this.head++;
    }
    return out;
  }

  /** `b` just became the block the client is receiving: write its start and whatever it had accumulated. */
  private activate(b: Block): string {
    let out = '';
    const s = b.start;
    switch (s.type) {
      case 'thinking':
        out += this.openBlock(b, { type: 'thinking', thinking: '', signature: '' });
        break;
      case 'redacted_thinking':
        out += this.openBlock(b, { type: 'redacted_thinking', data: s.data });
        break;
      case 'tool_call': {
        // Every signature already known goes in the carrier before the tool_use block.
        let sig = s.signature ?? '';
        b.pending = b.pending.filter((e) => {
          if (e.type !== 'signature_delta') return true;
          sig += e.signature;
          return false;
        });
        if (sig) {
          out += this.carrier(sig);
          b.carried = true;
        }
        this.toolUse = true;
        out += this.openBlock(b, { type: 'tool_use', id: sanitizeToolId(s.id), name: s.name, input: {} });
        break;
      }
      case 'opaque': {
        if (s.format !== 'anthropic' || typeof s.value !== 'object' || s.value === null) break;
        const value = s.value as Json;
        const input = value.input;
        // Tool-use-like blocks (server_tool_use, mcp_tool_use) stream their input as the real API does.
        if (typeof value.type === 'string' && value.type.endsWith('tool_use') && typeof input === 'object' && input !== null && !Array.isArray(input)) {
          const client = this.nextClient;
          out += this.openBlock(b, { ...value, input: {} });
          if (Object.keys(input).length) out += deltaFrame(client, { type: 'input_json_delta', partial_json: JSON.stringify(input) });
        } else {
          out += this.openBlock(b, value);
        }
        break;
      }
      case 'text':
        break;
    }
    for (const e of b.pending) out += this.apply(b, e);
    b.pending = [];
    return out;
  }

  private apply(b: Block, e: DeltaEvent): string {
    const s = b.start;
    if (e.type === 'signature_delta') {
      if (s.type === 'thinking' || ((s.type === 'text' || s.type === 'tool_call') && !b.carried)) b.signature += e.signature;
      return '';
    }
    if (s.type === 'text' && e.type === 'text_delta' && e.text) {
      let out = '';
      if (b.client === undefined) {
        if (b.signature) {
          out += this.carrier(b.signature);
          b.carried = true;
          b.signature = '';
        }
        out += this.openBlock(b, { type: 'text', text: '' });
      }
      return out + stringDeltaFrame(b.client!, 'text_delta', 'text', e.text);
    }
    if (s.type === 'thinking' && e.type === 'thinking_delta' && e.text) return stringDeltaFrame(b.client!, 'thinking_delta', 'thinking', e.text);
    if (s.type === 'tool_call' && e.type === 'tool_args_delta' && e.json) return stringDeltaFrame(b.client!, 'input_json_delta', 'partial_json', e.json);
    return '';
  }

  private finishBlock(b: Block): string {
    let out = '';
    if (b.start.type === 'thinking' && b.client !== undefined) {
      const origin: SignatureOrigin = b.start.signatureOrigin ?? (b.signature ? { format: 'anthropic' } : { format: 'openai' });
      const signature = clientSignature(origin, b.signature);
      if (signature) out += deltaFrame(b.client, { type: 'signature_delta', signature });
    }
    if (b.client !== undefined) out += blockStopFrame(b.client);
    // A part signature that arrived after its block was under way follows the block.
    if ((b.start.type === 'text' || b.start.type === 'tool_call') && b.signature && !b.carried) out += this.carrier(b.signature);
    return out;
  }

  private openBlock(b: Block, contentBlock: Json): string {
    b.client = this.nextClient++;
    return frame('content_block_start', { type: 'content_block_start', index: b.client, content_block: contentBlock });
  }

  /** A complete empty thinking block carrying a Gemini part signature (convention 4). */
  private carrier(signature: string): string {
    const origin = partSignatureOrigin(this.opts.model);
    const block = signatureCarrier(origin, signature);
    const index = this.nextClient++;
    return (
      frame('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }) +
      deltaFrame(index, { type: 'signature_delta', signature: block.signature as string }) +
      blockStopFrame(index)
    );
  }
}

/**
 * One SSE event. Written directly rather than through `encodeEvent`, which looks for line breaks to split: the event
 * names here are literals and JSON text has no raw line break, so it is always one `data:` line.
 */
export function frame(event: string, data: Json): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The frames that never vary, and the one that varies only by its index: written as text. */
export const PING_FRAME = 'event: ping\ndata: {"type":"ping"}\n\n';
export const MESSAGE_STOP_FRAME = 'event: message_stop\ndata: {"type":"message_stop"}\n\n';
export function blockStopFrame(index: number): string {
  return `event: content_block_stop\ndata: {"type":"content_block_stop","index":${index}}\n\n`;
}

export function deltaFrame(index: number, delta: Json): string {
  return frame('content_block_delta', { type: 'content_block_delta', index, delta });
}

/**
 * `deltaFrame(index, { type, [field]: value })` for the deltas that carry one string (text, thinking, tool input):
 * the same text, written directly. They are most of a stream's events, and building and serialising two objects per
 * event cost about twice as much. `type` and `field` are the literals below, which need no escaping.
 */
export function stringDeltaFrame(index: number, type: 'text_delta' | 'thinking_delta' | 'input_json_delta', field: 'text' | 'thinking' | 'partial_json', value: string): string {
  return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":{"type":"${type}","${field}":${JSON.stringify(value)}}}\n\n`;
}

function errorFrame(err: ErrorInfo): string {
  return frame('error', { type: 'error', error: { type: errorType(err.kind), message: err.message } });
}

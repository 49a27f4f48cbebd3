/**
 * Anthropic wire encoding of a turn: the non-streaming `Message` JSON and the SSE event sequence,
 * with the field order and chunking the real API uses.
 */
import type { Frame } from '../http.js';
import { splitChars, splitText } from '../chunking.js';
import { base62, type Rng } from '../rng.js';
import { makeSignature, type Turn } from '../turn.js';
import type { AnthropicUsage } from './usage.js';

export type WireBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string };

export function messageId(rng: Rng): string {
  return `msg_01${base62(rng, 22)}`;
}

export function toolUseId(rng: Rng): string {
  return `toolu_01${base62(rng, 22)}`;
}

export function requestId(rng: Rng): string {
  return `req_011C${base62(rng, 20)}`;
}

/** Turn blocks -> wire blocks (tool ids and missing signatures filled in). */
export function wireBlocks(turn: Turn, rng: Rng): WireBlock[] {
  return turn.content.map((b): WireBlock => {
    switch (b.type) {
      case 'text':
        return { type: 'text', text: b.text };
      case 'tool_use':
        return { type: 'tool_use', id: b.id ?? toolUseId(rng), name: b.name, input: b.input ?? {} };
      case 'thinking':
        return { type: 'thinking', thinking: b.thinking, signature: b.signature ?? makeSignature(b.thinking) };
      case 'redacted_thinking':
        return { type: 'redacted_thinking', data: b.data };
    }
  });
}

export interface MessageParts {
  id: string;
  model: string;
  blocks: WireBlock[];
  stopReason: string;
  stopSequence: string | null;
  usage: AnthropicUsage;
}

export function encodeMessage(p: MessageParts): string {
  return JSON.stringify({
    model: p.model,
    id: p.id,
    type: 'message',
    role: 'assistant',
    content: p.blocks,
    stop_reason: p.stopReason,
    stop_sequence: p.stopSequence,
    usage: p.usage,
  });
}

function frame(type: string, data: string, firstToken?: boolean): Frame {
  return firstToken ? { text: `event: ${type}\ndata: ${data}\n\n`, firstToken } : { text: `event: ${type}\ndata: ${data}\n\n` };
}

const PING: Frame = frame('ping', '{"type":"ping"}');
const MESSAGE_STOP: Frame = frame('message_stop', '{"type":"message_stop"}');
const BLOCK_STOPS: Frame[] = Array.from({ length: 16 }, (_, i) => blockStop(i));

function blockStop(index: number): Frame {
  return frame('content_block_stop', `{"type":"content_block_stop","index":${index}}`);
}

/** JSON with Python-style separators (`", "`, `": "`), which is how the API streams tool input. */
export function spacedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => spacedJson(x === undefined ? null : x)).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined || typeof x === 'function') continue;
      parts.push(`${JSON.stringify(k)}: ${spacedJson(x)}`);
    }
    return `{${parts.join(', ')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const TOOL_JSON_PIECE = 32;

function delta(index: number, d: Record<string, string>, state: { first: boolean }): Frame {
  const f = frame('content_block_delta', JSON.stringify({ type: 'content_block_delta', index, delta: d }), state.first);
  state.first = false;
  return f;
}

/** The SSE events for a message, produced lazily. */
export function* streamFrames(p: MessageParts, initialOutputTokens = 1): Generator<Frame> {
  const u = p.usage;
  const startUsage = { ...u, output_tokens: Math.min(initialOutputTokens, u.output_tokens) };
  yield frame(
    'message_start',
    JSON.stringify({
      type: 'message_start',
      message: {
        model: p.model,
        id: p.id,
        type: 'message',
        role: 'assistant',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: startUsage,
      },
    }),
  );
  const state = { first: true };
  if (p.blocks.length === 0) yield PING;
  for (let index = 0; index < p.blocks.length; index++) {
    const b = p.blocks[index];
    let skeleton: WireBlock;
    if (b.type === 'text') skeleton = { type: 'text', text: '' };
    else if (b.type === 'tool_use') skeleton = { type: 'tool_use', id: b.id, name: b.name, input: {} };
    else if (b.type === 'thinking') skeleton = { type: 'thinking', thinking: '', signature: '' };
    else skeleton = b;
    yield frame('content_block_start', JSON.stringify({ type: 'content_block_start', index, content_block: skeleton }));
    if (index === 0) yield PING;
    if (b.type === 'text') {
      for (const t of splitText(b.text)) yield delta(index, { type: 'text_delta', text: t }, state);
    } else if (b.type === 'tool_use') {
      yield delta(index, { type: 'input_json_delta', partial_json: '' }, state);
      const json = spacedJson(b.input);
      if (json !== '{}') {
        for (const piece of splitChars(json, TOOL_JSON_PIECE)) {
          yield delta(index, { type: 'input_json_delta', partial_json: piece }, state);
        }
      }
    } else if (b.type === 'thinking') {
      for (const t of splitText(b.thinking)) yield delta(index, { type: 'thinking_delta', thinking: t }, state);
      yield delta(index, { type: 'signature_delta', signature: b.signature }, state);
    }
    yield BLOCK_STOPS[index] ?? blockStop(index);
  }
  yield frame(
    'message_delta',
    JSON.stringify({
      type: 'message_delta',
      delta: { stop_reason: p.stopReason, stop_sequence: p.stopSequence },
      usage: {
        input_tokens: u.input_tokens,
        cache_creation_input_tokens: u.cache_creation_input_tokens,
        cache_read_input_tokens: u.cache_read_input_tokens,
        output_tokens: u.output_tokens,
      },
    }),
    state.first,
  );
  yield MESSAGE_STOP;
}

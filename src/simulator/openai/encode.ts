/**
 * Chat Completions encoding of a turn: the `chat.completion` JSON and the `chat.completion.chunk`
 * sequence, with the field order, chunking and usage shape of the recorded API traffic.
 */
import { createHash } from 'node:crypto';
import { splitChars, splitText } from '../chunking.js';
import type { Frame } from '../http.js';
import { base62, type Rng } from '../rng.js';
import type { Turn } from '../turn.js';
import type { OpenAIReasoningField, StopReason } from '../types.js';

export type OpenAIBlock =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'tool_call'; id: string; name: string; arguments: string };

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number; cache_write_tokens?: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

export function completionId(rng: Rng): string {
  return `chatcmpl-${base62(rng, 29)}`;
}

export function toolCallId(rng: Rng): string {
  return `call_${base62(rng, 24)}`;
}

export function requestId(rng: Rng): string {
  let s = '';
  for (let i = 0; i < 32; i++) s += Math.floor(rng() * 16).toString(16);
  return `req_${s}`;
}

/** A stable `fp_…` per model, like the API's backend fingerprint. */
export function fingerprint(model: string): string {
  return `fp_${createHash('sha256').update(model).digest('hex').slice(0, 10)}`;
}

const FINISH: Record<StopReason, string> = { end_turn: 'stop', stop_sequence: 'stop', tool_use: 'tool_calls', max_tokens: 'length' };

export function finishReason(stop: StopReason): string {
  return FINISH[stop];
}

/** Turn blocks -> OpenAI blocks: tool inputs as compact JSON strings, signatures and redacted thinking dropped. */
export function openaiBlocks(turn: Turn, rng: Rng): OpenAIBlock[] {
  const out: OpenAIBlock[] = [];
  for (const b of turn.content) {
    if (b.type === 'text') out.push({ type: 'text', text: b.text });
    else if (b.type === 'thinking') {
      if (b.thinking !== '') out.push({ type: 'reasoning', text: b.thinking });
    } else if (b.type === 'tool_use') {
      out.push({ type: 'tool_call', id: b.id ?? toolCallId(rng), name: b.name, arguments: JSON.stringify(b.input ?? {}) ?? '{}' });
    }
  }
  return out;
}

export interface CompletionParts {
  id: string;
  created: number;
  model: string;
  fingerprint: string;
  blocks: OpenAIBlock[];
  finishReason: string;
  usage: OpenAIUsage;
  reasoningField: OpenAIReasoningField;
}

export function encodeCompletion(p: CompletionParts): string {
  const text = p.blocks.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text);
  const reasoning = p.blocks.filter((b) => b.type === 'reasoning').map((b) => (b as { text: string }).text);
  const calls = p.blocks.filter((b): b is Extract<OpenAIBlock, { type: 'tool_call' }> => b.type === 'tool_call');
  const message: Record<string, unknown> = { role: 'assistant', content: text.length > 0 ? text.join('') : null };
  if (reasoning.length > 0) message[p.reasoningField] = reasoning.join('');
  if (calls.length > 0) {
    message.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  message.refusal = null;
  message.annotations = [];
  return JSON.stringify(
    {
      id: p.id,
      object: 'chat.completion',
      created: p.created,
      model: p.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: p.finishReason }],
      usage: p.usage,
      service_tier: 'default',
      system_fingerprint: p.fingerprint,
    },
    null,
    2,
  );
}

export interface StreamOptions {
  includeUsage: boolean;
  /** Random padding per chunk (`obfuscation`), on unless the request turned it off. */
  obfuscation?: () => string;
}

/** Tool arguments are streamed in fragments of about this many characters (the API streams token by token). */
const ARGUMENT_PIECE = 12;

/** The `data:` frames of a streamed completion, produced lazily; ends with `data: [DONE]`. */
export function* streamFrames(p: CompletionParts, o: StreamOptions): Generator<Frame> {
  // Every chunk repeats the envelope; only `choices` (and `usage` at the end) change.
  const head = `{"id":${JSON.stringify(p.id)},"object":"chat.completion.chunk","created":${p.created},"model":${JSON.stringify(p.model)},"service_tier":"default","system_fingerprint":${JSON.stringify(p.fingerprint)},"choices":`;
  const usageNull = o.includeUsage ? ',"usage":null' : '';
  const tail = (): string => (o.obfuscation ? `,"obfuscation":${JSON.stringify(o.obfuscation())}}` : '}');
  const chunk = (delta: unknown, finish: string | null, firstToken?: boolean): Frame => {
    const choices = `[{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}}]`;
    const text = `data: ${head}${choices}${usageNull}${tail()}\n\n`;
    return firstToken ? { text, firstToken } : { text };
  };

  const field = p.reasoningField;
  const first = p.blocks[0];
  let firstToken = true;
  // The opening chunk carries the role; a leading tool call or reasoning opens in it, as the API does.
  if (first?.type === 'tool_call') {
    yield chunk(
      { role: 'assistant', content: null, tool_calls: [{ index: 0, id: first.id, type: 'function', function: { name: first.name, arguments: '' } }], refusal: null },
      null,
      true,
    );
    firstToken = false;
  } else if (first?.type === 'reasoning') {
    yield chunk({ role: 'assistant', content: null, [field]: '' }, null);
  } else {
    yield chunk({ role: 'assistant', content: '', refusal: null }, null);
  }
  let callIndex = 0;
  for (let i = 0; i < p.blocks.length; i++) {
    const b = p.blocks[i];
    if (b.type === 'text') {
      for (const t of splitText(b.text)) {
        yield chunk({ content: t }, null, firstToken);
        firstToken = false;
      }
    } else if (b.type === 'reasoning') {
      for (const t of splitText(b.text)) {
        yield chunk({ [field]: t }, null, firstToken);
        firstToken = false;
      }
    } else {
      const index = callIndex++;
      if (i > 0) {
        yield chunk({ tool_calls: [{ index, id: b.id, type: 'function', function: { name: b.name, arguments: '' } }] }, null, firstToken);
        firstToken = false;
      }
      for (const piece of splitChars(b.arguments, ARGUMENT_PIECE)) yield chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null);
    }
  }
  yield chunk({}, p.finishReason, firstToken);
  if (o.includeUsage) yield { text: `data: ${head}[],"usage":${JSON.stringify(p.usage)}${tail()}\n\n` };
  yield DONE;
}

const DONE: Frame = { text: 'data: [DONE]\n\n' };

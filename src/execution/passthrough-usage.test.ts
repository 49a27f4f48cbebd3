/**
 * The passthrough executors read usage from the upstream's own bytes, not through the codec. They must count exactly
 * what the codec counts for the same answer, or the cost of a request would depend on whether it was translated.
 */
import { describe, expect, it } from 'vitest';
import { emptyUsage, type StreamEvent, type Usage } from '../formats/canonical/types.js';
import { codecFor } from '../formats/index.js';
import { recordedAnswers, reportsUsage, type RecordedAnswer } from '../telemetry/cost/testing/recorded.js';
import { readAnthropicUsage } from './anthropic-passthrough.js';
import { readOpenAIUsage } from './openai-passthrough.js';

function codecUsage(a: RecordedAnswer): Usage {
  const codec = codecFor(a.format);
  const ctx = { provider: a.format, model: 'recorded' };
  if (a.body) return codec.decodeResponse(a.body, ctx).usage;
  const decoder = codec.streamDecoder(ctx);
  const events: StreamEvent[] = [];
  for (const e of a.events ?? []) events.push(...decoder.push(e.event, e.data));
  events.push(...decoder.end());
  const finish = events.find((e) => e.type === 'finish');
  return finish?.type === 'finish' ? finish.usage : emptyUsage();
}

type Json = Record<string, unknown>;

/** As relayStream does: message_start's usage, then every message_delta's cumulative usage, into one object. */
function anthropicStreamUsage(events: Array<{ event?: string; data: string }>): Usage {
  const usage = emptyUsage();
  for (const e of events) {
    const data = JSON.parse(e.data) as { message?: Json; usage?: Json };
    if (e.event === 'message_start') readAnthropicUsage(data.message?.usage as Json | undefined, usage);
    else if (e.event === 'message_delta') readAnthropicUsage(data.usage, usage);
  }
  return usage;
}

/** As relayChatStream does: the last chunk reporting usage, at the top level or in Groq's `x_groq`. */
function openaiStreamUsage(events: Array<{ data: string }>): Usage | null {
  let usage: Usage | null = null;
  for (const e of events) {
    if (e.data === '[DONE]') continue;
    const chunk = JSON.parse(e.data) as { usage?: Json; x_groq?: { usage?: Json } };
    const u = chunk.usage ?? chunk.x_groq?.usage;
    if (u) usage = readOpenAIUsage(u);
  }
  return usage;
}

describe('Anthropic passthrough usage', () => {
  const answers = recordedAnswers('anthropic').filter(reportsUsage);
  it.each(answers.map((a) => [a.name, a] as const))('%s: counted as the codec counts it', (_name, a) => {
    const read = a.body ? readAnthropicUsage(a.body.usage as Json) : anthropicStreamUsage(a.events!);
    expect(read).toEqual(codecUsage(a));
  });

  it('keeps 1-hour cache writes, in a body and across a stream', () => {
    const start = { input_tokens: 50, cache_creation_input_tokens: 3000, cache_read_input_tokens: 10_000, cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 }, output_tokens: 1 };
    const expected = { input: 50, output: 400, cacheRead: 10_000, cacheWrite: 3000, cacheWrite1h: 2000, reasoning: 0 };
    expect(readAnthropicUsage({ ...start, output_tokens: 400 })).toEqual(expected);
    const stream = anthropicStreamUsage([
      { event: 'message_start', data: JSON.stringify({ type: 'message_start', message: { usage: start } }) },
      { event: 'message_delta', data: JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 50, cache_creation_input_tokens: 3000, cache_read_input_tokens: 10_000, output_tokens: 400 } }) },
    ]);
    expect(stream).toEqual(expected);
  });
});

describe('OpenAI-format passthrough usage', () => {
  const answers = recordedAnswers('openai').filter(reportsUsage);
  it.each(answers.map((a) => [a.name, a] as const))('%s: counted as the codec counts it', (_name, a) => {
    const read = a.body ? readOpenAIUsage(a.body.usage as Json) : openaiStreamUsage(a.events!);
    expect(read).toEqual(codecUsage(a));
  });

  it('adds xAI reasoning that completion_tokens leaves out', () => {
    // total 560 = 307 prompt + 26 completion + 227 reasoning: output is 26 + 227 = 253.
    const u = readOpenAIUsage({ prompt_tokens: 307, completion_tokens: 26, total_tokens: 560, prompt_tokens_details: { cached_tokens: 306 }, completion_tokens_details: { reasoning_tokens: 227 } });
    expect(u).toEqual({ input: 1, output: 253, cacheRead: 306, cacheWrite: 0, reasoning: 227 });
  });

  it('reads cache hits from DeepSeek and cache fields relayed from Anthropic', () => {
    expect(readOpenAIUsage({ prompt_tokens: 1000, completion_tokens: 10, prompt_cache_hit_tokens: 800, prompt_cache_miss_tokens: 200 })).toEqual({ input: 200, output: 10, cacheRead: 800, cacheWrite: 0, reasoning: 0 });
    expect(readOpenAIUsage({ prompt_tokens: 5000, completion_tokens: 10, cache_read_input_tokens: 3000, cache_creation_input_tokens: 1500 })).toEqual({ input: 500, output: 10, cacheRead: 3000, cacheWrite: 1500, reasoning: 0 });
  });
});

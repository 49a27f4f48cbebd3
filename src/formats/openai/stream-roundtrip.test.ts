import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import type { ClientEncodeOptions } from '../canonical/codec.js';
import type { StreamEvent, Usage } from '../canonical/types.js';
import { openaiCodec } from './index.js';
import { cassette, chunkLines, fixtureText, sseData } from './test-support.js';

interface Parsed {
  completion: ChatCompletion;
  chunks: ChatCompletionChunk[];
  reasoning: string;
  usage: ChatCompletionChunk['usage'];
}

/** Parses SSE text exactly as an application using the official SDK's streaming helper would. */
async function sdkParse(sse: string): Promise<Parsed> {
  const client = new OpenAI({
    apiKey: 'test',
    baseURL: 'http://sdk.test/v1',
    maxRetries: 0,
    fetch: async () => new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
  });
  const stream = client.chat.completions.stream({ model: 'x', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } });
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const completion = await stream.finalChatCompletion();
  let reasoning = '';
  for (const c of chunks) {
    const delta = c.choices[0]?.delta as Record<string, unknown> | undefined;
    if (typeof delta?.reasoning_content === 'string') reasoning += delta.reasoning_content;
  }
  return { completion, chunks, reasoning, usage: chunks.at(-1)?.usage };
}

function toSse(payloads: string[]): string {
  return payloads.map((p) => `data: ${p}\n\n`).join('');
}

function reencode(payloads: string[], opts: Partial<ClientEncodeOptions> = {}): string {
  const decoder = openaiCodec.streamDecoder({ provider: 'p', model: 'm' });
  const encoder = openaiCodec.streamEncoder({ model: 'prov/model', includeUsage: true, ...opts });
  let out = '';
  for (const p of payloads) for (const e of decoder.push(undefined, p)) out += encoder.push(e);
  for (const e of decoder.end()) out += encoder.push(e);
  return out + encoder.end();
}

function summary(p: Parsed) {
  const m = p.completion.choices[0];
  return {
    content: m.message.content ?? '',
    tools: (m.message.tool_calls ?? []).map((t) => (t.type === 'function' ? { id: t.id, name: t.function.name, arguments: t.function.arguments } : t)),
    finish: m.finish_reason,
  };
}

function usageOf(u: Usage) {
  return { prompt_tokens: u.input + u.cacheRead + u.cacheWrite, completion_tokens: u.output, cached_tokens: u.cacheRead, reasoning_tokens: u.reasoning };
}

function flatUsage(u: Parsed['usage']) {
  return { prompt_tokens: u?.prompt_tokens, completion_tokens: u?.completion_tokens, cached_tokens: u?.prompt_tokens_details?.cached_tokens, reasoning_tokens: u?.completion_tokens_details?.reasoning_tokens };
}

describe('stream decode → encode, parsed by the OpenAI SDK', () => {
  // The SDK accepts these originals as they are, so the re-encoded stream must say the same thing.
  const standard: Array<[string, () => string[], Usage]> = [
    ['openai-text', () => chunkLines('openai--openai-text.chunks.txt'), { input: 16, output: 300, cacheRead: 0, cacheWrite: 0, reasoning: 0 }],
    ['deepseek-reasoning', () => chunkLines('openai--deepseek-reasoning.chunks.txt'), { input: 18, output: 219, cacheRead: 0, cacheWrite: 0, reasoning: 205 }],
    ['deepseek-tool-call', () => chunkLines('openai--deepseek-tool-call.chunks.txt'), { input: 19, output: 83, cacheRead: 320, cacheWrite: 0, reasoning: 39 }],
    ['xai-tool-call', () => chunkLines('openai--xai-tool-call.chunks.txt'), { input: 1, output: 253, cacheRead: 306, cacheWrite: 0, reasoning: 227 }],
    ['groq-tool-call', () => chunkLines('openai--groq-tool-call.chunks.txt'), { input: 210, output: 15, cacheRead: 0, cacheWrite: 0, reasoning: 0 }],
    ['issue-15789-step-2', () => chunkLines('openai--issue-15789-step-2.chunks.txt'), { input: 86, output: 2, cacheRead: 0, cacheWrite: 0, reasoning: 0 }],
    ['chat-streaming-detailed-usage', () => sseData(cassette('openai--chat-streaming-detailed-usage.yaml')[0].response as string), { input: 12, output: 100, cacheRead: 0, cacheWrite: 0, reasoning: 100 }],
    ['run_stream tool call', () => sseData(cassette('openai--test_run_stream_sync_streams_real_model.yaml')[0].response as string), { input: 53, output: 15, cacheRead: 0, cacheWrite: 0, reasoning: 0 }],
    ['run_stream answer', () => sseData(cassette('openai--test_run_stream_sync_streams_real_model.yaml')[1].response as string), { input: 78, output: 9, cacheRead: 0, cacheWrite: 0, reasoning: 0 }],
  ];

  it.each(standard)('%s', async (_name, load, usage) => {
    const payloads = load();
    const original = await sdkParse(toSse(payloads.filter((p) => p !== '[DONE]')) + 'data: [DONE]\n\n');
    const again = await sdkParse(reencode(payloads));
    expect(summary(again)).toEqual(summary(original));
    const originalReasoning = payloads
      .map((p) => (p === '[DONE]' ? undefined : (JSON.parse(p) as ChatCompletionChunk).choices[0]?.delta as Record<string, unknown> | undefined))
      .map((d) => (typeof d?.reasoning_content === 'string' ? d.reasoning_content : typeof d?.reasoning === 'string' ? d.reasoning : ''))
      .join('');
    expect(again.reasoning).toBe(originalReasoning);
    expect(flatUsage(again.usage)).toEqual(usageOf(usage));
    expect(again.completion.model).toBe('prov/model');
  });

  it('anthropic-fallback: a call at upstream index 1 is renumbered from 0', async () => {
    const again = await sdkParse(reencode(sseData(fixtureText('openai--anthropic-fallback-tool-call.sse'))));
    expect(summary(again)).toEqual({ content: 'Reading it.', tools: [{ id: 'toolu_sanitized', name: 'read_file', arguments: '{"path": "a.txt"}' }], finish: 'tool_calls' });
  });

  it('mistral-reasoning: array content becomes plain content and reasoning_content', async () => {
    const again = await sdkParse(reencode(chunkLines('openai--mistral-reasoning.chunks.txt')));
    expect(summary(again)).toEqual({ content: '2 + 2 = 4', tools: [], finish: 'stop' });
    expect(again.reasoning).toBe('The user is asking for 2+2. This is basic arithmetic. 2+2=4.');
    expect(flatUsage(again.usage)).toEqual({ prompt_tokens: 10, completion_tokens: 46, cached_tokens: 0, reasoning_tokens: 0 });
  });
});

describe('stream encoder', () => {
  const start: StreamEvent = { type: 'start', id: 'msg_1', model: 'claude', usage: { input: 5, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 } };
  const finish: StreamEvent = { type: 'finish', stopReason: 'tool_use', usage: { input: 5, output: 7, cacheRead: 100, cacheWrite: 20, reasoning: 2 } };

  function run(events: StreamEvent[], opts: Partial<ClientEncodeOptions> = {}): string {
    const enc = openaiCodec.streamEncoder({ model: 'anthropic/claude', ...opts });
    return events.map((e) => enc.push(e)).join('') + enc.end();
  }

  it('numbers tool calls from 0 and tolerates interleaved canonical blocks', async () => {
    const sse = run(
      [
        start,
        { type: 'block_start', index: 0, block: { type: 'thinking' } },
        { type: 'thinking_delta', index: 0, text: 'hmm' },
        { type: 'signature_delta', index: 0, signature: 'sig' },
        { type: 'block_stop', index: 0 },
        { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'toolu_a', name: 'A' } },
        { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'toolu_b', name: 'B' } },
        { type: 'tool_args_delta', index: 2, json: '{"b":' },
        { type: 'tool_args_delta', index: 1, json: '{"a":1}' },
        { type: 'tool_args_delta', index: 2, json: '2}' },
        { type: 'block_stop', index: 1 },
        { type: 'block_stop', index: 2 },
        finish,
      ],
      { includeUsage: true, metadata: () => ({ generation_id: 'g1' }) },
    );
    const parsed = await sdkParse(sse);
    expect(summary(parsed)).toEqual({
      content: '',
      tools: [
        { id: 'toolu_a', name: 'A', arguments: '{"a":1}' },
        { id: 'toolu_b', name: 'B', arguments: '{"b":2}' },
      ],
      finish: 'tool_calls',
    });
    expect(parsed.reasoning).toBe('hmm');
    expect(parsed.completion.id).toBe('chatcmpl-msg_1');
    expect(parsed.usage).toEqual({ prompt_tokens: 125, completion_tokens: 7, total_tokens: 132, prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20 }, completion_tokens_details: { reasoning_tokens: 2 } });
    const last = parsed.chunks.at(-1) as unknown as Record<string, unknown>;
    expect(last.choices).toEqual([]);
    expect(last.metadata).toEqual({ generation_id: 'g1' });
    expect(sse.endsWith('data: [DONE]\n\n')).toBe(true);
    // first chunk: the role delta
    expect(parsed.chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
  });

  it('without include_usage: no usage chunk, metadata on the finish chunk', async () => {
    const sse = run([start, { type: 'block_start', index: 0, block: { type: 'text' } }, { type: 'text_delta', index: 0, text: 'hi' }, { type: 'block_stop', index: 0 }, { ...finish, stopReason: 'max_tokens' }], {
      metadata: () => ({ attempts: [] }),
    });
    const payloads = sseData(sse);
    expect(payloads.at(-1)).toBe('[DONE]');
    const last = JSON.parse(payloads.at(-2)!) as Record<string, unknown>;
    expect(last.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'length' }]);
    expect(last.metadata).toEqual({ attempts: [] });
    expect(payloads.some((p) => p.includes('"choices":[]'))).toBe(false);
    const parsed = await sdkParse(sse);
    expect(summary(parsed)).toEqual({ content: 'hi', tools: [], finish: 'length' });
  });

  it('an error ends the stream with an error chunk and no [DONE]; the SDK raises it', async () => {
    const sse = run([
      start,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'par' },
      { type: 'error', error: { status: 529, kind: 'overloaded', message: 'anthropic: Overloaded' } },
      { type: 'text_delta', index: 0, text: 'ignored' },
    ]);
    const payloads = sseData(sse);
    expect(payloads.at(-1)).toBe(JSON.stringify({ error: { message: 'anthropic: Overloaded', type: 'server_error', param: null, code: 'overloaded' } }));
    expect(sse.includes('[DONE]')).toBe(false);
    await expect(sdkParse(sse)).rejects.toThrow(/Overloaded/);
  });

  it('maps every stop reason', () => {
    const finishOf = (stopReason: Extract<StreamEvent, { type: 'finish' }>['stopReason']) => {
      const payloads = sseData(run([start, { ...finish, stopReason }]));
      return (JSON.parse(payloads.at(-2)!) as ChatCompletionChunk).choices[0].finish_reason;
    };
    expect(finishOf('end_turn')).toBe('stop');
    expect(finishOf('stop_sequence')).toBe('stop');
    expect(finishOf('pause_turn')).toBe('stop');
    expect(finishOf('max_tokens')).toBe('length');
    expect(finishOf('context_window_exceeded')).toBe('length');
    expect(finishOf('tool_use')).toBe('tool_calls');
    expect(finishOf('refusal')).toBe('content_filter');
  });
});

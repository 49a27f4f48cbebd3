import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../canonical/types.js';
import { OpenAIStreamDecoder } from './index.js';
import { summarize } from './test-support.js';

const ctx = { provider: 'gemini-openai', model: 'gemini-3-pro' };

function chunk(delta: object, extra: object = {}): string {
  return JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [{ index: 0, delta, finish_reason: null }], ...extra });
}

function finishChunk(reason: string, extra: object = {}): string {
  return JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: reason }], ...extra });
}

function run(payloads: string[], end = true): StreamEvent[] {
  const d = new OpenAIStreamDecoder(ctx);
  const out = payloads.flatMap((p) => d.push(undefined, p));
  return end ? [...out, ...d.end()] : out;
}

const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

describe('stream decoder: tool calls', () => {
  it('interleaved fragments across calls land on the right blocks', () => {
    const s = summarize(
      run([
        chunk({ role: 'assistant' }),
        chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'A', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'B', arguments: '{"y"' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: ':2}' } }, { index: 0, function: { arguments: '1}' } }] }),
        finishChunk('tool_calls'),
        JSON.stringify({ id: 'c1', choices: [], usage }),
      ]),
    );
    expect(s.tools).toEqual([
      { id: 'a', name: 'A', args: '{"x":1}' },
      { id: 'b', name: 'B', args: '{"y":2}' },
    ]);
    expect(s.stopReason).toBe('tool_use');
    expect(s.usage).toEqual({ input: 10, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('missing index: the same call unless a new id or name appears', () => {
    const s = summarize(
      run([
        chunk({ tool_calls: [{ id: 'a', type: 'function', function: { name: 'A', arguments: '{"p":' } }] }),
        chunk({ tool_calls: [{ function: { arguments: '1}' } }] }),
        chunk({ tool_calls: [{ id: 'b', type: 'function', function: { name: 'B', arguments: '{}' } }] }),
        chunk({ tool_calls: [{ function: { name: 'C', arguments: '{"q"' } }] }),
        chunk({ tool_calls: [{ function: { arguments: ':3}' } }] }),
        finishChunk('tool_calls'),
        '[DONE]',
      ], false),
    );
    expect(s.tools.map((t) => [t.id.startsWith('call_') ? 'minted' : t.id, t.name, t.args])).toEqual([
      ['a', 'A', '{"p":1}'],
      ['b', 'B', '{}'],
      ['minted', 'C', '{"q":3}'],
    ]);
  });

  it('a constant index 0 with a new id per call (Ollama) still separates the calls', () => {
    const s = summarize(
      run([
        chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'A', arguments: '{}' } }] }),
        chunk({ tool_calls: [{ index: 0, id: 'b', type: 'function', function: { name: 'B', arguments: '{"z":0}' } }] }),
        finishChunk('tool_calls'),
      ]),
    );
    expect(s.tools).toEqual([
      { id: 'a', name: 'A', args: '{}' },
      { id: 'b', name: 'B', args: '{"z":0}' },
    ]);
  });

  it("Gemini's thought signature in extra_content starts the tool block", () => {
    const events = run([
      chunk({ tool_calls: [{ index: 0, id: 'fc1', type: 'function', function: { name: 'f', arguments: '{}' }, extra_content: { google: { thought_signature: 'CiQB' } } }] }),
      finishChunk('tool_calls'),
    ]);
    const start = events.find((e) => e.type === 'block_start');
    expect(start).toEqual({ type: 'block_start', index: 0, block: { type: 'tool_call', id: 'fc1', name: 'f', signature: 'CiQB', signatureOrigin: { format: 'gemini', provider: 'gemini-openai', model: 'gemini-3-pro' } } });
  });

  it('arguments that arrive before the name are held and flushed when the block starts', () => {
    const s = summarize(
      run([
        chunk({ tool_calls: [{ index: 0, id: 'a', function: { arguments: '{"k"' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { name: 'late', arguments: ':1}' } }] }),
        finishChunk('tool_calls'),
      ]),
    );
    expect(s.tools).toEqual([{ id: 'a', name: 'late', args: '{"k":1}' }]);
  });

  it('a call that never got a name is dropped rather than sent nameless', () => {
    const s = summarize(run([chunk({ content: 'hi' }), chunk({ tool_calls: [{ index: 0, id: 'a', function: { arguments: '{}' } }] }), finishChunk('stop')]));
    expect(s.tools).toEqual([]);
    expect(s.stopReason).toBe('end_turn');
  });

  it('tool calls reported with finish_reason "stop" are still tool_use', () => {
    const s = summarize(run([chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'A', arguments: '{}' } }] }), finishChunk('stop')]));
    expect(s.stopReason).toBe('tool_use');
  });
});

describe('stream decoder: blocks, finish and errors', () => {
  it('reasoning and text switch blocks; content in the finish chunk is kept', () => {
    const events = run([
      chunk({ role: 'assistant', content: '' }),
      chunk({ reasoning: 'think ', reasoning_content: 'think ' }),
      chunk({ reasoning: 'more' }),
      chunk({ content: 'Hel' }),
      JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }], usage }),
    ]);
    const s = summarize(events);
    expect(s.blocks).toEqual(['thinking', 'text']);
    expect(s.thinking).toBe('think more');
    expect(s.text).toBe('Hello');
    expect(events.map((e) => e.type)).toEqual(['start', 'block_start', 'thinking_delta', 'thinking_delta', 'block_stop', 'block_start', 'text_delta', 'text_delta', 'block_stop', 'finish']);
    expect(events[1]).toEqual({ type: 'block_start', index: 0, block: { type: 'thinking', signatureOrigin: { format: 'openai', provider: 'gemini-openai', model: 'gemini-3-pro' } } });
  });

  it('holds the finish until the usage chunk', () => {
    const d = new OpenAIStreamDecoder(ctx);
    d.push(undefined, chunk({ content: 'x' }));
    const atFinish = d.push(undefined, finishChunk('length'));
    expect(atFinish.map((e) => e.type)).toEqual(['block_stop']);
    const atUsage = d.push(undefined, JSON.stringify({ id: 'c1', choices: [], usage: { ...usage, prompt_tokens_details: { cached_tokens: 4 } } }));
    expect(atUsage).toEqual([{ type: 'finish', stopReason: 'max_tokens', stopSequence: null, usage: { input: 6, output: 5, cacheRead: 4, cacheWrite: 0, reasoning: 0 } }]);
    expect(d.push(undefined, '[DONE]')).toEqual([]);
    expect(d.end()).toEqual([]);
  });

  it('an error chunk becomes an error event and ends the stream', () => {
    const events = run([chunk({ content: 'par' }), JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }), chunk({ content: 'tial' })]);
    expect(events.at(-1)).toEqual({ type: 'error', error: { status: 429, kind: 'rate_limit', message: 'Rate limit reached' } });
    expect(events.filter((e) => e.type === 'error')).toHaveLength(1);
    expect(events.some((e) => e.type === 'finish')).toBe(false);
  });

  it('an error chunk with a numeric code (Gemini endpoint) keeps its status', () => {
    const events = run([JSON.stringify({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } })]);
    expect(events).toEqual([{ type: 'error', error: { status: 503, kind: 'overloaded', message: 'The model is overloaded.' } }]);
  });

  it('a malformed chunk is an error, not silently skipped', () => {
    const events = run([chunk({ content: 'a' }), '{"id":"c1","choices":[{"delta":{"content":"b"']);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { kind: 'api_error' } });
  });

  it('an empty stream and [DONE] without any chunk are errors', () => {
    expect(run([])).toMatchObject([{ type: 'error' }]);
    expect(run(['[DONE]'], false)).toMatchObject([{ type: 'error' }]);
  });

  it('[DONE] without a finish_reason still completes cleanly', () => {
    const s = summarize(run([chunk({ content: 'ok' }), '[DONE]'], false));
    expect(s.text).toBe('ok');
    expect(s.stopReason).toBe('end_turn');
  });

  it('a refusal is text with stop reason refusal', () => {
    const s = summarize(run([chunk({ refusal: "I can't help with that." }), finishChunk('stop')]));
    expect(s.text).toBe("I can't help with that.");
    expect(s.stopReason).toBe('refusal');
  });

  it('content_filter maps to refusal; choices other than 0 are ignored; SSE comments and blank data are skipped', () => {
    const s = summarize(
      run([
        '',
        JSON.stringify({ id: 'c1', choices: [{ index: 1, delta: { content: 'other choice' } }, { index: 0, delta: { content: 'mine' } }] }),
        finishChunk('content_filter'),
      ]),
    );
    expect(s.text).toBe('mine');
    expect(s.stopReason).toBe('refusal');
  });

  it('legacy function_call deltas become a tool call', () => {
    const s = summarize(run([chunk({ function_call: { name: 'f', arguments: '' } }), chunk({ function_call: { arguments: '{"a":1}' } }), finishChunk('function_call')]));
    expect(s.tools.map((t) => [t.name, t.args])).toEqual([['f', '{"a":1}']]);
    expect(s.stopReason).toBe('tool_use');
  });
});

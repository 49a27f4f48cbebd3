import { APIError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { StreamEvent, Usage } from '../../canonical/types.js';
import { unwrapSignature, wrapSignature } from '../../canonical/signature.js';
import { anthropicCodec } from './index.js';
import { parseSse } from './testing/fixtures.js';
import { sdkEvents, sdkFinalMessage } from './testing/sdk.js';

const usage = (over: Partial<Usage> = {}): Usage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, ...over });
const START: StreamEvent = { type: 'start', id: 'chatcmpl-1', model: 'gpt-x', usage: usage({ input: 120, cacheRead: 30 }) };

function encode(events: StreamEvent[], model = 'openai/gpt-x', metadata?: () => Record<string, unknown>): string {
  const enc = anthropicCodec.streamEncoder({ model, metadata });
  return events.map((e) => enc.push(e)).join('') + enc.end();
}

function frames(sse: string): Array<{ event: string; data: Record<string, unknown> }> {
  return parseSse(sse).map((r) => ({ event: r.event!, data: JSON.parse(r.data) as Record<string, unknown> }));
}

describe('stream encoder', () => {
  it('writes message_start, ping, blocks, message_delta with usage and metadata, message_stop', async () => {
    const sse = encode(
      [
        START,
        { type: 'block_start', index: 0, block: { type: 'text' } },
        { type: 'text_delta', index: 0, text: 'Hel' },
        { type: 'text_delta', index: 0, text: 'lo' },
        { type: 'block_stop', index: 0 },
        { type: 'finish', stopReason: 'end_turn', stopSequence: null, usage: usage({ input: 125, output: 7, cacheRead: 30, cacheWrite: 10, reasoning: 3 }) },
      ],
      'openai/gpt-x',
      () => ({ generation_id: 'g1' }),
    );
    expect(sse.startsWith('event: message_start\ndata: {')).toBe(true);
    expect(sse.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
    const f = frames(sse);
    expect(f.map((x) => x.event)).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(f[0].data.message).toEqual({
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'openai/gpt-x',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 120, cache_creation_input_tokens: 0, cache_read_input_tokens: 30, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 }, output_tokens: 1 },
    });
    expect(f[6].data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 125, cache_creation_input_tokens: 10, cache_read_input_tokens: 30, output_tokens: 7, output_tokens_details: { thinking_tokens: 3 } },
      metadata: { generation_id: 'g1' },
    });
    const m = await sdkFinalMessage(sse);
    expect(m.content).toEqual([{ type: 'text', text: 'Hello' }]);
    expect(m.usage).toMatchObject({ input_tokens: 125, output_tokens: 7, cache_read_input_tokens: 30, cache_creation_input_tokens: 10 });
  });

  it('serialises interleaved blocks: later blocks wait until earlier ones stop', async () => {
    const sse = encode([
      START,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'call_a', name: 'read', signature: undefined } },
      { type: 'tool_args_delta', index: 1, json: '{"path":' },
      { type: 'text_delta', index: 0, text: 'Reading ' },
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'call:b', name: 'write' } },
      { type: 'tool_args_delta', index: 2, json: '{"x":1}' },
      { type: 'block_stop', index: 2 },
      { type: 'tool_args_delta', index: 1, json: '"a.txt"}' },
      { type: 'text_delta', index: 0, text: 'two files.' },
      { type: 'block_stop', index: 1 },
      { type: 'block_stop', index: 0 },
      { type: 'finish', stopReason: 'tool_use', usage: usage({ output: 20 }) },
    ]);
    const f = frames(sse).filter((x) => x.event.startsWith('content_block'));
    // Strictly sequential: each index starts, gets its deltas and stops before the next starts.
    let open = -1;
    let next = 0;
    for (const x of f) {
      const index = x.data.index as number;
      if (x.event === 'content_block_start') {
        expect(open).toBe(-1);
        expect(index).toBe(next++);
        open = index;
      } else {
        expect(index).toBe(open);
        if (x.event === 'content_block_stop') open = -1;
      }
    }
    const m = await sdkFinalMessage(sse);
    expect(m.content).toEqual([
      { type: 'text', text: 'Reading two files.' },
      { type: 'tool_use', id: 'call_a', name: 'read', input: { path: 'a.txt' } },
      { type: 'tool_use', id: 'call_b', name: 'write', input: { x: 1 } },
    ]);
    expect(m.stop_reason).toBe('tool_use');
  });

  it('thinking: Anthropic signatures raw, others wrapped with their origin (empty for OpenAI reasoning)', async () => {
    const sse = encode([
      START,
      { type: 'block_start', index: 0, block: { type: 'thinking', signatureOrigin: { format: 'anthropic' } } },
      { type: 'thinking_delta', index: 0, text: 'hmm' },
      { type: 'signature_delta', index: 0, signature: 'EqQB' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'thinking', signatureOrigin: { format: 'openai', provider: 'deepseek', model: 'r1' } } },
      { type: 'thinking_delta', index: 1, text: 'reasoning text' },
      { type: 'block_stop', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'thinking', signatureOrigin: { format: 'gemini', provider: 'google-ai-studio', model: 'gemini-3-pro' } } },
      { type: 'thinking_delta', index: 2, text: 'thought' },
      { type: 'signature_delta', index: 2, signature: 'CiQB' },
      { type: 'signature_delta', index: 2, signature: 'xyz=' },
      { type: 'block_stop', index: 2 },
      { type: 'block_start', index: 3, block: { type: 'thinking' } },
      { type: 'thinking_delta', index: 3, text: 'no origin, no signature' },
      { type: 'block_stop', index: 3 },
      { type: 'finish', stopReason: 'end_turn', usage: usage() },
    ]);
    const m = await sdkFinalMessage(sse);
    expect(m.content).toEqual([
      { type: 'thinking', thinking: 'hmm', signature: 'EqQB' },
      { type: 'thinking', thinking: 'reasoning text', signature: wrapSignature({ format: 'openai', provider: 'deepseek', model: 'r1' }, '') },
      { type: 'thinking', thinking: 'thought', signature: wrapSignature({ format: 'gemini', provider: 'google-ai-studio', model: 'gemini-3-pro' }, 'CiQBxyz=') },
      { type: 'thinking', thinking: 'no origin, no signature', signature: wrapSignature({ format: 'openai' }, '') },
    ]);
    // Each signature_delta comes right before its block's stop.
    const f = frames(sse);
    const sigAt = f.findIndex((x) => (x.data.delta as { type?: string } | undefined)?.type === 'signature_delta');
    expect(f[sigAt + 1].event).toBe('content_block_stop');
  });

  it('a Gemini-signed tool call is preceded by a thinking block carrying the wrapped signature', async () => {
    const sse = encode(
      [
        START,
        { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'toolu_abc', name: 'Bash', signature: 'GSIG' } },
        { type: 'tool_args_delta', index: 0, json: '{"command":"ls"}' },
        { type: 'block_stop', index: 0 },
        { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'toolu_def', name: 'Read' } },
        { type: 'signature_delta', index: 1, signature: 'LATE' },
        { type: 'tool_args_delta', index: 1, json: '{}' },
        { type: 'block_stop', index: 1 },
        { type: 'finish', stopReason: 'tool_use', usage: usage() },
      ],
      'google-ai-studio/gemini-3-pro',
    );
    const m = await sdkFinalMessage(sse);
    const origin = { format: 'gemini' as const, provider: 'google-ai-studio', model: 'gemini-3-pro' };
    expect(m.content).toEqual([
      { type: 'thinking', thinking: '', signature: wrapSignature(origin, 'GSIG') },
      { type: 'tool_use', id: 'toolu_abc', name: 'Bash', input: { command: 'ls' } },
      { type: 'tool_use', id: 'toolu_def', name: 'Read', input: {} },
      // Arrived once the tool_use was already under way: it follows the block.
      { type: 'thinking', thinking: '', signature: wrapSignature(origin, 'LATE') },
    ]);
    expect(unwrapSignature(m.content[0].type === 'thinking' ? m.content[0].signature : '')).toEqual({ origin, signature: 'GSIG' });
  });

  it('a signature buffered before a delayed tool call still goes before it', async () => {
    const sse = encode(
      [
        START,
        { type: 'block_start', index: 0, block: { type: 'text' } },
        { type: 'block_start', index: 1, block: { type: 'tool_call', id: 't1', name: 'x' } },
        { type: 'signature_delta', index: 1, signature: 'S1' },
        { type: 'text_delta', index: 0, text: 'hi' },
        { type: 'block_stop', index: 0 },
        { type: 'block_stop', index: 1 },
        { type: 'finish', stopReason: 'tool_use', usage: usage() },
      ],
      'google-ai-studio/gemini-3-pro',
    );
    const m = await sdkFinalMessage(sse);
    expect(m.content.map((b) => b.type)).toEqual(['text', 'thinking', 'tool_use']);
  });

  it('skips empty text blocks and other formats\u2019 opaque blocks; streams Anthropic server-tool input', async () => {
    const server = { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'news' } };
    const result = { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', url: 'u', title: 't', encrypted_content: 'E' }] };
    const sse = encode([
      START,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: '' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'opaque', format: 'gemini', value: { executableCode: {} } } },
      { type: 'block_stop', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'opaque', format: 'anthropic', value: server } },
      { type: 'block_stop', index: 2 },
      { type: 'block_start', index: 3, block: { type: 'opaque', format: 'anthropic', value: result } },
      { type: 'block_stop', index: 3 },
      { type: 'block_start', index: 4, block: { type: 'redacted_thinking', data: 'RD' } },
      { type: 'block_stop', index: 4 },
      { type: 'finish', stopReason: 'end_turn', usage: usage() },
    ]);
    const m = await sdkFinalMessage(sse);
    expect(m.content).toEqual([server, result, { type: 'redacted_thinking', data: 'RD' }]);
    const startOfServer = frames(sse).find((x) => x.event === 'content_block_start')!;
    expect(startOfServer.data.content_block).toEqual({ ...server, input: {} });
  });

  it('reports tool_use exactly when tool_use blocks were sent', async () => {
    const withTool: StreamEvent[] = [START, { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'a', name: 'b' } }, { type: 'block_stop', index: 0 }];
    expect((await sdkFinalMessage(encode([...withTool, { type: 'finish', stopReason: 'end_turn', usage: usage() }]))).stop_reason).toBe('tool_use');
    expect((await sdkFinalMessage(encode([START, { type: 'finish', stopReason: 'tool_use', usage: usage() }]))).stop_reason).toBe('end_turn');
    expect((await sdkFinalMessage(encode([START, { type: 'finish', stopReason: 'context_window_exceeded', usage: usage() }]))).stop_reason).toBe('model_context_window_exceeded');
    expect((await sdkFinalMessage(encode([START, { type: 'finish', stopReason: 'stop_sequence', stopSequence: 'END', usage: usage() }]))).stop_sequence).toBe('END');
  });

  it('closes blocks left open at finish, in order', async () => {
    const m = await sdkFinalMessage(
      encode([START, { type: 'block_start', index: 0, block: { type: 'text' } }, { type: 'block_start', index: 1, block: { type: 'text' } }, { type: 'text_delta', index: 1, text: 'b' }, { type: 'text_delta', index: 0, text: 'a' }, { type: 'finish', stopReason: 'end_turn', usage: usage() }]),
    );
    expect(m.content).toEqual([
      { type: 'text', text: 'a' },
      { type: 'text', text: 'b' },
    ]);
  });

  it('an error ends the stream with an error event and nothing after; the SDK raises it', async () => {
    const enc = anthropicCodec.streamEncoder({ model: 'm' });
    let sse = enc.push(START) + enc.push({ type: 'block_start', index: 0, block: { type: 'text' } }) + enc.push({ type: 'text_delta', index: 0, text: 'par' });
    sse += enc.push({ type: 'error', error: { status: 529, kind: 'overloaded', message: 'Overloaded' } });
    expect(enc.push({ type: 'finish', stopReason: 'end_turn', usage: usage() })).toBe('');
    expect(enc.end()).toBe('');
    expect(sse.endsWith('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')).toBe(true);
    await expect(sdkFinalMessage(sse)).rejects.toBeInstanceOf(APIError);
    await expect(sdkEvents(sse)).rejects.toMatchObject({ type: 'overloaded_error' });
  });

  it('end() without finish is an error, never a clean end', async () => {
    const enc = anthropicCodec.streamEncoder({ model: 'm' });
    const sse = enc.push(START) + enc.push({ type: 'block_start', index: 0, block: { type: 'text' } }) + enc.push({ type: 'text_delta', index: 0, text: 'x' }) + enc.end();
    expect(frames(sse).at(-1)).toEqual({ event: 'error', data: { type: 'error', error: { type: 'api_error', message: 'The upstream stream ended before the message was complete.' } } });
    await expect(sdkFinalMessage(sse)).rejects.toThrow();
  });

  it('synthesises message_start when events come without a start', async () => {
    const sse = encode([{ type: 'block_start', index: 0, block: { type: 'text' } }, { type: 'text_delta', index: 0, text: 'x' }, { type: 'block_stop', index: 0 }, { type: 'finish', stopReason: 'end_turn', usage: usage() }]);
    const m = await sdkFinalMessage(sse);
    expect(m.id).toMatch(/^msg_[0-9A-Za-z]{24}$/);
    expect(m.content).toEqual([{ type: 'text', text: 'x' }]);
  });
});

describe('stream decoder', () => {
  const ctx = { provider: 'anthropic', model: 'claude-x' };
  const ev = (data: Record<string, unknown>) => ({ event: data.type as string, data: JSON.stringify(data) });
  const run = (records: Array<{ event: string | undefined; data: string }>, estimateInput?: () => Usage) => {
    const dec = anthropicCodec.streamDecoder({ ...ctx, estimateInput });
    return [...records.flatMap((r) => dec.push(r.event, r.data)), ...dec.end()];
  };
  const msgStart = (u: Record<string, unknown> = { input_tokens: 10, output_tokens: 1 }) => ev({ type: 'message_start', message: { id: 'msg_1', model: 'claude-x', content: [], usage: u } });

  it('estimates the prompt only when message_start does not count it', () => {
    let asked = 0;
    const estimate = () => (asked++, usage({ input: 77 }));
    expect(run([msgStart(), ev({ type: 'message_stop' })], estimate)[0]).toMatchObject({ type: 'start', usage: usage({ input: 10, output: 1 }) });
    expect(asked).toBe(0);
    expect(run([msgStart({ output_tokens: 1 }), ev({ type: 'message_stop' })], estimate)[0]).toMatchObject({ type: 'start', usage: usage({ input: 77, output: 1 }) });
    expect(asked).toBe(1);
  });

  it('maps an error event to a canonical error and stops', () => {
    const out = run([msgStart(), ev({ type: 'ping' }), ev({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), ev({ type: 'message_stop' })]);
    expect(out).toEqual([
      { type: 'start', id: 'msg_1', model: 'claude-x', usage: usage({ input: 10, output: 1 }) },
      { type: 'error', error: { status: 529, kind: 'overloaded', message: 'Overloaded' } },
    ]);
  });

  it('a stream cut before message_delta ends with an error, not a finish', () => {
    const out = run([msgStart(), ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }), ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x' } })]);
    expect(out.at(-1)).toEqual({ type: 'error', error: { status: 502, kind: 'api_error', message: 'the upstream stream ended before the message was complete' } });
    expect(out.some((e) => e.type === 'finish')).toBe(false);
  });

  it('message_delta without message_stop still finishes (blocks closed), as Claude Code accepts', () => {
    const out = run([
      msgStart(),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x' } }),
      ev({ type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 9 } }),
    ]);
    expect(out.slice(-2)).toEqual([
      { type: 'block_stop', index: 0 },
      { type: 'finish', stopReason: 'max_tokens', stopSequence: null, usage: usage({ input: 10, output: 9 }) },
    ]);
  });

  it('rejects non-JSON data and events before message_start', () => {
    expect(run([{ event: 'message_start', data: '{"type":"message_st' }])[0]).toMatchObject({ type: 'error', error: { kind: 'api_error' } });
    expect(run([ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })])[0]).toMatchObject({ type: 'error', error: { message: 'the upstream sent content_block_start before message_start' } });
  });

  it('uses the estimate until the upstream counts, then the cumulative message_delta usage', () => {
    const out = run(
      [
        msgStart({ output_tokens: 1 }),
        ev({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5, input_tokens: 300, cache_read_input_tokens: 20, output_tokens_details: { thinking_tokens: 2 } } }),
        ev({ type: 'message_delta', delta: {}, usage: { output_tokens: 8 } }),
        ev({ type: 'message_stop' }),
      ],
      () => usage({ input: 250 }),
    );
    expect(out[0]).toMatchObject({ type: 'start', usage: usage({ input: 250, output: 1 }) });
    expect(out.at(-1)).toEqual({ type: 'finish', stopReason: 'end_turn', stopSequence: null, usage: usage({ input: 300, output: 8, cacheRead: 20, reasoning: 2 }) });
  });

  it('passes a wrapped signature from a Switchyard upstream through verbatim', () => {
    const sig = wrapSignature({ format: 'gemini' }, 'G');
    const out = run([
      msgStart(),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: sig } }),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({ type: 'message_stop' }),
    ]);
    expect(out).toContainEqual({ type: 'signature_delta', index: 0, signature: sig });
    // and an Anthropic client gets it back unchanged, not wrapped twice
    expect(frames(encode(out))).toContainEqual({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: sig } } });
  });

  it('a non-standard tool_use start carrying its input still yields the arguments once', () => {
    const start = (input: Record<string, unknown>) => ev({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'n', input } });
    const only = run([msgStart(), start({ a: 1 }), ev({ type: 'content_block_stop', index: 0 }), ev({ type: 'message_stop' })]);
    expect(only.filter((e) => e.type === 'tool_args_delta')).toEqual([{ type: 'tool_args_delta', index: 0, json: '{"a":1}' }]);
    const both = run([msgStart(), start({ a: 1 }), ev({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a":2}' } }), ev({ type: 'content_block_stop', index: 0 }), ev({ type: 'message_stop' })]);
    expect(both.filter((e) => e.type === 'tool_args_delta')).toEqual([{ type: 'tool_args_delta', index: 0, json: '{"a":2}' }]);
  });

  it('a second message_start is an error', () => {
    expect(run([msgStart(), msgStart()]).at(-1)).toMatchObject({ type: 'error', error: { message: 'the upstream sent a second message_start' } });
  });

  it('buffers server-tool blocks into one opaque block with the parsed (even truncated) input', () => {
    const out = run([
      msgStart(),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'server_tool_use', id: 's1', name: 'web_search', input: {} } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"query": "a' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: 'b' } }),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
      ev({ type: 'content_block_delta', index: 1, delta: { type: 'citations_delta', citation: { type: 'x' } } }),
      ev({ type: 'content_block_stop', index: 1 }),
      ev({ type: 'message_delta', delta: { stop_reason: 'pause_turn' }, usage: { output_tokens: 3 } }),
      ev({ type: 'message_stop' }),
    ]);
    expect(out.slice(1)).toEqual([
      { type: 'block_start', index: 0, block: { type: 'opaque', format: 'anthropic', value: { type: 'server_tool_use', id: 's1', name: 'web_search', input: { query: 'ab' } } } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'block_stop', index: 1 },
      { type: 'finish', stopReason: 'pause_turn', stopSequence: null, usage: usage({ input: 10, output: 3 }) },
    ]);
  });
});

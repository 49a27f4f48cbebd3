import { describe, expect, it } from 'vitest';
import type { Response, StreamEvent } from '../canonical/types.js';
import { geminiCodec } from './index.js';
import { recordedJson, sseData, type Loose } from './test-support.js';

const usage = { input: 100, output: 50, cacheRead: 20, cacheWrite: 0, reasoning: 30 };

describe('encodeResponse', () => {
  it('writes a generateContent body with parts, finish reason, usage and metadata', () => {
    const res: Response = {
      id: 'resp_9',
      model: 'gemini-3-pro-preview',
      content: [
        { type: 'thinking', text: 'considering', signatureOrigin: { format: 'gemini' } },
        { type: 'text', text: 'Calling it.' },
        { type: 'tool_call', id: 'toolu_x', name: 'f', input: { a: 1 }, signature: 'SIG', signatureOrigin: { format: 'gemini' } },
        { type: 'thinking', text: 'private', signature: 'ANTHROPIC', signatureOrigin: { format: 'anthropic' } },
        { type: 'redacted_thinking', data: 'xyz' },
      ],
      stopReason: 'tool_use',
      usage,
    };
    expect(geminiCodec.encodeResponse(res, { model: 'google-ai-studio/gemini-3-pro-preview', metadata: () => ({ generation_id: 'g1' }) })).toEqual({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [{ text: 'considering', thought: true }, { text: 'Calling it.' }, { functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'SIG' }, { text: 'private', thought: true }],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      // prompt = 100 + 20 cached; candidates = 50 - 30 thoughts
      usageMetadata: { promptTokenCount: 120, cachedContentTokenCount: 20, candidatesTokenCount: 20, thoughtsTokenCount: 30, totalTokenCount: 170 },
      modelVersion: 'google-ai-studio/gemini-3-pro-preview',
      responseId: 'resp_9',
      metadata: { generation_id: 'g1' },
    });
  });

  it('restores the Gemini-only members a Gemini upstream sent', () => {
    const body = recordedJson('gemini--google-tool-call.json');
    const res = geminiCodec.decodeResponse(body, { provider: 'google-ai-studio', model: 'gemini-3-pro-preview' });
    const out = geminiCodec.encodeResponse(res, { model: 'gemini-3-pro-preview' }) as Loose;
    expect(out.candidates[0].finishMessage).toBe('Model generated function call(s).');
    expect(out.candidates[0].content.parts).toEqual((body as Loose).candidates[0].content.parts);
    expect(out.usageMetadata).toEqual({ promptTokenCount: 29, candidatesTokenCount: 15, thoughtsTokenCount: 893, totalTokenCount: 937 });
  });

  it('maps stop reasons back to finish reasons', () => {
    const finish = (stopReason: Response['stopReason']) => (geminiCodec.encodeResponse({ id: 'r', model: 'm', content: [{ type: 'text', text: 'x' }], stopReason, usage }, { model: 'm' }) as Loose).candidates[0].finishReason;
    const all: Array<Response['stopReason']> = ['end_turn', 'stop_sequence', 'tool_use', 'max_tokens', 'context_window_exceeded', 'refusal', 'pause_turn', 'error'];
    expect(all.map(finish)).toEqual(['STOP', 'STOP', 'STOP', 'MAX_TOKENS', 'MAX_TOKENS', 'SAFETY', 'STOP', 'OTHER']);
  });
});

describe('streamEncoder', () => {
  it('streams deltas as chunks, each function call whole, and the finish with usage', () => {
    const enc = geminiCodec.streamEncoder({ model: 'gemini-2.5-flash', metadata: () => ({ generation_id: 'g' }) });
    const events: StreamEvent[] = [
      { type: 'start', id: 'r1', model: 'gemini-2.5-flash', usage: { input: 10, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 } },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Hel' },
      { type: 'text_delta', index: 0, text: 'lo' },
      { type: 'signature_delta', index: 0, signature: 'S1', signatureOrigin: { format: 'gemini' } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 't', name: 'f', signature: 'S2', signatureOrigin: { format: 'gemini' } } },
      { type: 'tool_args_delta', index: 1, json: '{"a"' },
      { type: 'tool_args_delta', index: 1, json: ':1}' },
      { type: 'block_stop', index: 1 },
      { type: 'finish', stopReason: 'tool_use', usage: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 } },
    ];
    const text = events.map((e) => enc.push(e)).join('') + enc.end();
    expect(text.endsWith('\n\n')).toBe(true);
    expect(text).not.toContain('[DONE]');
    const chunks = sseData(text).map((d) => JSON.parse(d));
    expect(chunks.map((c) => c.candidates[0].content.parts)).toEqual([[{ text: 'Hel' }], [{ text: 'lo' }], [{ text: '', thoughtSignature: 'S1' }], [{ functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'S2' }], [{ text: '' }]]);
    expect(chunks.every((c) => c.responseId === 'r1' && c.modelVersion === 'gemini-2.5-flash')).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ candidates: [{ finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 }, metadata: { generation_id: 'g' } });
  });

  it('an error is the last thing written', () => {
    const enc = geminiCodec.streamEncoder({ model: 'm' });
    const out = [
      enc.push({ type: 'start', id: 'r', model: 'm', usage }),
      enc.push({ type: 'error', error: { status: 529, kind: 'overloaded', message: 'busy' } }),
      enc.push({ type: 'finish', stopReason: 'end_turn', usage }),
      enc.end(),
    ].join('');
    expect(sseData(out).map((d) => JSON.parse(d))).toEqual([{ error: { code: 503, message: 'busy', status: 'UNAVAILABLE', details: [{ '@type': 'type.googleapis.com/google.rpc.RequestInfo', requestId: 'r' }] } }]);
  });
});

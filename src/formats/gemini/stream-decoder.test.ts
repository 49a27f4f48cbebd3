import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../canonical/types.js';
import { assembleEvents } from './assemble.js';
import { decodeGeminiResponse } from './decode-response.js';
import { GeminiStreamDecoder } from './stream-decoder.js';
import { cassette, decodeStream, recordedChunks, type Loose } from './test-support.js';

type Obj = Record<string, Loose>;
const TOOL_ID = /^toolu_[A-Za-z0-9]{24}$/;
const ctx = { provider: 'google-ai-studio', model: 'gemini-3-pro-preview' };
const origin = { format: 'gemini', provider: 'google-ai-studio', model: 'gemini-3-pro-preview' };

/** Events with minted ids replaced, for exact comparisons. */
function stable(events: StreamEvent[]): unknown[] {
  return events.map((e) => (e.type === 'block_start' && e.block.type === 'tool_call' ? { ...e, block: { ...e.block, id: 'ID' } } : e));
}

/** Structural invariants every decoded stream must satisfy (cross-codec convention 5). */
function checkGrammar(events: StreamEvent[]): void {
  expect(events[0].type).toBe('start');
  const last = events[events.length - 1];
  expect(['finish', 'error']).toContain(last.type);
  const open = new Set<number>();
  let next = 0;
  for (const e of events.slice(1, -1)) {
    expect(['finish', 'start', 'error']).not.toContain(e.type);
    if (e.type === 'block_start') {
      expect(e.index).toBe(next++);
      open.add(e.index);
    } else if (e.type === 'block_stop') {
      expect(open.delete(e.index)).toBe(true);
    } else if ('index' in e) {
      expect(open.has(e.index)).toBe(true);
    }
  }
  if (last.type === 'finish') expect(open.size).toBe(0);
}

/** All parts of a stream in one body, as a non-streaming response would carry them. */
function unstreamed(chunks: string[]): Obj {
  const parsed = chunks.map((c) => JSON.parse(c) as Obj);
  const parts = parsed.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
  const lastCandidate = parsed.map((c) => c.candidates?.[0]).filter(Boolean).at(-1);
  return { candidates: [{ content: { role: 'model', parts }, finishReason: lastCandidate?.finishReason }], usageMetadata: parsed.at(-1)!.usageMetadata, responseId: parsed[0].responseId };
}

const fixtures = [
  'gemini--google-text.chunks.txt',
  'gemini--google-reasoning.chunks.txt',
  'gemini--google-tool-call-gemini3.chunks.txt',
  'gemini--google-stream-no-args-tool-call.chunks.txt',
  'gemini--google-vertex-stream-tool-call-arguments-nested.1.chunks.txt',
];

describe('streamDecoder: recorded streams', () => {
  it('google-text: text deltas, then the signature from the trailing empty part, finish with the last usage', () => {
    const chunks = recordedChunks('gemini--google-text.chunks.txt');
    const sig = JSON.parse(chunks[2]).candidates[0].content.parts[0].thoughtSignature as string;
    expect(decodeStream(chunks)).toEqual([
      { type: 'start', id: 'bH6LaZW8Fp_3nsEPqtaSwQ4', model: 'gemini-3-pro-preview', usage: { input: 9, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 } },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'There are **3**' },
      { type: 'text_delta', index: 0, text: ' "r"s in strawberry.\n\nst**r**awbe**rr**y' },
      { type: 'signature_delta', index: 0, signature: sig, signatureOrigin: origin },
      { type: 'block_stop', index: 0 },
      // prompt 9; candidates 23 + thoughts 185
      { type: 'finish', stopReason: 'end_turn', usage: { input: 9, output: 208, cacheRead: 0, cacheWrite: 0, reasoning: 185 } },
    ]);
    expect(sig.startsWith('EqsFCqgFAb4+9vvtAF5n87lB4OGDOoTRMOqp35jW65XsYXh6BySMwl9nvrbAvPcl2U0xITaYUyV4')).toBe(true);
    expect(sig.endsWith('xaNqwew3FwAG37eeWcow=')).toBe(true);
  });

  it('google-tool-call-gemini3: one complete call with its signature; the empty final part adds nothing', () => {
    const chunks = recordedChunks('gemini--google-tool-call-gemini3.chunks.txt');
    const sig = JSON.parse(chunks[0]).candidates[0].content.parts[0].thoughtSignature as string;
    const events = decodeStream(chunks);
    expect(stable(events)).toEqual([
      { type: 'start', id: 'QHiLaa6LBrb8vdIPoNztsAg', model: 'gemini-3-pro-preview', usage: { input: 29, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 } },
      { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'ID', name: 'weather', signature: sig, signatureOrigin: origin } },
      { type: 'tool_args_delta', index: 0, json: '{"location":"San Francisco"}' },
      { type: 'block_stop', index: 0 },
      { type: 'finish', stopReason: 'tool_use', usage: { input: 29, output: 819, cacheRead: 0, cacheWrite: 0, reasoning: 804 } },
    ]);
    expect((events[1] as Loose).block.id).toMatch(TOOL_ID);
  });

  it('google-stream-no-args-tool-call: thought summary, a no-arg call, then three partialArgs calls', () => {
    const chunks = recordedChunks('gemini--google-stream-no-args-tool-call.chunks.txt');
    const events = decodeStream(chunks, { provider: 'vertex', model: 'gemini-3-flash-preview' });
    checkGrammar(events);
    // Vertex sends usage without token counts until the end: the start carries the (absent) estimate
    expect(events[0]).toEqual({ type: 'start', id: '_vr4aYiWEJnYodAPkujX0QM', model: 'gemini-3-flash-preview', usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 } });
    const a = assembleEvents(events);
    expect(a.content.map((b) => b.type)).toEqual(['thinking', 'tool_call', 'tool_call', 'tool_call', 'tool_call']);
    expect((a.content[0] as Loose).text.startsWith('**Processing User Requests**')).toBe(true);
    expect(a.content.slice(1).map((b: Loose) => [b.name, b.input])).toEqual([
      ['read_theme', {}],
      ['read_screen', { id: 'A' }],
      ['read_screen', { id: 'B' }],
      ['read_screen', { id: 'C' }],
    ]);
    expect((a.content[1] as Loose).signature).toBe(JSON.parse(chunks[1]).candidates[0].content.parts[0].thoughtSignature);
    expect((a.content[2] as Loose).signature).toBeUndefined();
    expect(a.stopReason).toBe('tool_use');
    expect(a.usage).toEqual({ input: 249, output: 241, cacheRead: 0, cacheWrite: 0, reasoning: 183 });
    // each call: start, one JSON fragment, stop
    expect(events.filter((e) => e.type === 'tool_args_delta').map((e: Loose) => e.json)).toEqual(['{}', '{"id":"A"}', '{"id":"B"}', '{"id":"C"}']);
  });

  it('google-vertex-stream-tool-call-arguments-nested: nested partialArgs rebuild the full argument object', () => {
    const events = decodeStream(recordedChunks('gemini--google-vertex-stream-tool-call-arguments-nested.1.chunks.txt'), { provider: 'vertex', model: 'gemini-3.1-pro-preview' });
    checkGrammar(events);
    const deltas = events.filter((e) => e.type === 'tool_args_delta');
    expect(deltas).toHaveLength(1);
    const a = assembleEvents(events);
    expect(a.content).toHaveLength(1);
    const call = a.content[0] as Loose;
    expect(call.name).toBe('cookRecipe');
    expect(Object.keys(call.input.recipe)).toEqual(['ingredients', 'name', 'steps']);
    expect(call.input.recipe.name).toBe('Lasagna');
    expect(call.input.recipe.ingredients).toHaveLength(10);
    expect(call.input.recipe.ingredients[0]).toEqual({ amount: '16 oz', name: 'Lasagna noodles' });
    expect(call.input.recipe.ingredients[9]).toEqual({ amount: '1/2 tsp', name: 'Pepper' });
    expect(call.input.recipe.steps).toHaveLength(10);
    // string values streamed over several partial args are joined
    expect(call.input.recipe.steps[1]).toBe('Cook lasagna noodles according to package directions, drain and set aside.');
    expect(call.input.recipe.steps[4]).toBe('In a 9x13 baking dish, spread a thin layer of meat sauce.');
    expect(call.input.recipe.steps[0]).toBe('Preheat oven to 375°F (190°C).');
    expect(a.stopReason).toBe('tool_use');
    expect(a.usage).toEqual({ input: 31, output: 1710, cacheRead: 0, cacheWrite: 0, reasoning: 1026 });
  });

  it('google-reasoning: the trailing signature attaches to the text', () => {
    const a = assembleEvents(decodeStream(recordedChunks('gemini--google-reasoning.chunks.txt')));
    expect(a.content).toHaveLength(1);
    expect(a.content[0]).toMatchObject({ type: 'text', text: 'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.' });
    expect((a.content[0] as Loose).signature).toMatch(/^Eo0HCooHAb4\+9vutXdtKMt\+r7Z3gLh52ZQ3RKYDzp4A6PHh0dLuvI1KwnLxDS\/qm8wn4Gm9NNNQ1nBS\/rrCAvr4GUTqanTkyxQb0ctdgoMiQJ\/BwIXliPqJ5C\+YtnXZfktX\+roGCDmCE4qimrCzgW4TytiSC4glx6CPNVCUT2S/);
    expect(a.usage).toEqual({ input: 9, output: 285, cacheRead: 0, cacheWrite: 0, reasoning: 256 });
  });

  for (const name of fixtures) {
    it(`${name}: streamed and unstreamed decode to the same content`, () => {
      const chunks = recordedChunks(name);
      const streamed = assembleEvents(decodeStream(chunks));
      const whole = decodeGeminiResponse(unstreamed(chunks), ctx);
      const noIds = (blocks: unknown[]) => blocks.map((b: Loose) => (b.type === 'tool_call' ? { ...b, id: 'ID' } : b));
      expect(noIds(streamed.content)).toEqual(noIds(whole.content));
      expect(streamed.stopReason).toBe(whole.stopReason);
      expect(streamed.usage).toEqual(whole.usage);
    });
  }
});

describe('streamDecoder: recorded cassette streams', () => {
  it('thinking stream (gemini-2.5-pro): four thought parts form one thinking block, the signature rides on the first text part', () => {
    const [i] = cassette('gemini--test_google_model_thinking_part_iter.yaml');
    const events = decodeStream(i.chunks!, { provider: 'google-ai-studio', model: 'gemini-2.5-pro' });
    checkGrammar(events);
    const a = assembleEvents(events);
    expect(a.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect((a.content[0] as Loose).text.startsWith('**Clarifying User Goals**')).toBe(true);
    expect((a.content[0] as Loose).text).toContain('**Crafting Safe Instructions**');
    expect((a.content[0] as Loose).signature).toBeUndefined();
    expect((a.content[1] as Loose).text).toHaveLength(1938);
    expect((a.content[1] as Loose).signature).toHaveLength(6152);
    expect(events.filter((e) => e.type === 'signature_delta').map((e) => e.index)).toEqual([1]);
    // prompt 34; candidates 469 + thoughts 787
    expect(a.usage).toEqual({ input: 34, output: 1256, cacheRead: 0, cacheWrite: 0, reasoning: 787 });
  });

  it('tool call then its answer (gemini-3-pro)', () => {
    const [call, answer] = cassette('gemini--test_google_streaming_tool_call_thought_signature.yaml');
    const first = assembleEvents(decodeStream(call.chunks!));
    expect(first.content).toHaveLength(1);
    expect(first.content[0]).toMatchObject({ type: 'tool_call', name: 'get_country', input: {} });
    expect((first.content[0] as Loose).signature).toHaveLength(1408);
    expect(first.usage).toEqual({ input: 29, output: 212, cacheRead: 0, cacheWrite: 0, reasoning: 202 });
    const second = assembleEvents(decodeStream(answer.chunks!));
    expect(second.content).toEqual([{ type: 'text', text: 'The capital of Mexico is Mexico City.' }]);
    expect(second.stopReason).toBe('end_turn');
    // the last chunk's running totals win over the earlier ones
    expect(second.usage).toEqual({ input: 257, output: 8, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('multi-step tool stream (gemini-2.0-flash): usage from the last chunk, not the first', () => {
    const steps = cassette('gemini--test_google_model_iter_stream.yaml').map((i) => assembleEvents(decodeStream(i.chunks!, { provider: 'g', model: 'gemini-2.0-flash' })));
    expect(steps[0].content).toMatchObject([{ type: 'tool_call', name: 'get_capital', input: { country: 'France' } }]);
    expect(steps[1].content).toMatchObject([{ type: 'tool_call', name: 'get_temperature', input: { city: 'Paris' } }]);
    expect(steps[2].content).toEqual([{ type: 'text', text: 'The temperature in Paris is 30°C.\n' }]);
    expect(steps.map((s) => s.stopReason)).toEqual(['tool_use', 'tool_use', 'end_turn']);
    expect(steps[2].usage).toEqual({ input: 79, output: 12, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('web search stream: text with tool-use prompt tokens counted as input', () => {
    const [i] = cassette('gemini--test_google_model_web_search_tool_stream.yaml');
    const a = assembleEvents(decodeStream(i.chunks!, { provider: 'g', model: 'gemini-2.5-pro' }));
    expect(a.content).toHaveLength(1);
    expect((a.content[0] as Loose).text).toHaveLength(926);
    expect((a.content[0] as Loose).text.startsWith('### Weather in San Francisco is Mild and Partly Cloudy Today')).toBe(true);
    // prompt 17 + tool-use 102; candidates 241 + thoughts 412
    expect(a.usage).toEqual({ input: 119, output: 653, cacheRead: 0, cacheWrite: 0, reasoning: 412 });
  });
});

describe('streamDecoder: broken and unusual streams', () => {
  const chunk = (parts: unknown[], extra: Obj = {}) => JSON.stringify({ candidates: [{ content: { role: 'model', parts }, ...extra }], responseId: 'r' });

  it('a stream that ends without a finishReason is an error, not a clean end', () => {
    const d = new GeminiStreamDecoder(ctx);
    const events = [...d.push(undefined, chunk([{ text: 'half an ans' }])), ...d.end()];
    expect(events.map((e) => e.type)).toEqual(['start', 'block_start', 'text_delta', 'error']);
    expect(events.at(-1)).toEqual({ type: 'error', error: { status: 502, kind: 'api_error', message: 'Gemini stream ended early: no finishReason was received' } });
    expect(d.end()).toEqual([]);
  });

  it('an empty stream is an error (nothing started, so the router can still fail over)', () => {
    const d = new GeminiStreamDecoder(ctx);
    expect(d.end().map((e) => e.type)).toEqual(['error']);
  });

  it('an error chunk ends the stream with the mapped error', () => {
    const d = new GeminiStreamDecoder(ctx);
    const events = [
      ...d.push(undefined, chunk([{ text: 'a' }])),
      ...d.push(undefined, JSON.stringify({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } })),
      ...d.push(undefined, chunk([{ text: 'b' }], { finishReason: 'STOP' })),
      ...d.end(),
    ];
    expect(events.map((e) => e.type)).toEqual(['start', 'block_start', 'text_delta', 'error']);
    expect(events.at(-1)).toEqual({ type: 'error', error: { status: 503, kind: 'overloaded', message: 'The model is overloaded.' } });
  });

  it('invalid JSON is an error', () => {
    const d = new GeminiStreamDecoder(ctx);
    const events = [...d.push(undefined, '{"candidates": ['), ...d.end()];
    expect(events).toEqual([{ type: 'error', error: { status: 502, kind: 'api_error', message: 'Gemini stream sent a chunk that is not valid JSON' } }]);
  });

  it('uses the estimate until the upstream counts input (zero counts are no count), and a usage-only final chunk', () => {
    const d = new GeminiStreamDecoder({ ...ctx, estimateInput: () => ({ input: 40, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }) });
    const events = [
      ...d.push(undefined, JSON.stringify({ ...JSON.parse(chunk([{ text: 'x' }])), usageMetadata: { promptTokenCount: 0, candidatesTokenCount: 0, totalTokenCount: 0 } })),
      ...d.push(undefined, chunk([{ text: 'y' }], { finishReason: 'STOP' })),
      ...d.push(undefined, JSON.stringify({ usageMetadata: { promptTokenCount: 44, candidatesTokenCount: 2, cachedContentTokenCount: 4 } })),
      ...d.end(),
    ];
    expect(events[0]).toMatchObject({ type: 'start', usage: { input: 40 } });
    expect(events.at(-1)).toEqual({ type: 'finish', stopReason: 'end_turn', usage: { input: 40, output: 2, cacheRead: 4, cacheWrite: 0, reasoning: 0 } });
  });

  it('a blocked prompt streams a refusal', () => {
    const d = new GeminiStreamDecoder(ctx);
    const events = [...d.push(undefined, JSON.stringify({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 7 } })), ...d.end()];
    expect(events.slice(1)).toEqual([
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: '[Gemini blocked the prompt (SAFETY)]' },
      { type: 'block_stop', index: 0 },
      { type: 'finish', stopReason: 'refusal', usage: { input: 7, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 } },
    ]);
  });

  it('thought, text and calls interleave into dense, properly closed blocks', () => {
    const events = decodeStream([
      chunk([{ text: 'plan', thought: true }]),
      chunk([{ text: ' more', thought: true, thoughtSignature: 'T1' }]),
      chunk([{ text: 'Answer' }, { functionCall: { name: 'a', args: { x: 1 } }, thoughtSignature: 'F1' }, { functionCall: { name: 'b' } }]),
      chunk([{ executableCode: { code: '1' } }, { text: 'after' }]),
      chunk([{ text: '', thoughtSignature: 'T2' }], { finishReason: 'STOP' }),
    ]);
    checkGrammar(events);
    const a = assembleEvents(events);
    expect(a.content.map((b: Loose) => ({ ...b, ...(b.id ? { id: 'ID' } : {}) }))).toEqual([
      { type: 'thinking', text: 'plan more', signature: 'T1', signatureOrigin: origin },
      { type: 'text', text: 'Answer' },
      { type: 'tool_call', id: 'ID', name: 'a', input: { x: 1 }, signature: 'F1', signatureOrigin: origin },
      { type: 'tool_call', id: 'ID', name: 'b', input: {} },
      { type: 'opaque', format: 'gemini', value: { executableCode: { code: '1' } } },
      { type: 'text', text: 'after', signature: 'T2', signatureOrigin: origin },
    ]);
    expect(a.stopReason).toBe('tool_use');
  });

  it('an explicitly thought-flagged signature does not attach to open answer text', () => {
    const a = assembleEvents(decodeStream([chunk([{ text: 'hi' }]), chunk([{ text: '', thought: true, thoughtSignature: 'S' }], { finishReason: 'STOP' })]));
    expect(a.content).toEqual([
      { type: 'text', text: 'hi' },
      { type: 'thinking', text: '', signature: 'S', signatureOrigin: origin },
    ]);
  });

  it('a partial call still open at the finish is completed with what arrived', () => {
    const a = assembleEvents(
      decodeStream([
        chunk([{ functionCall: { name: 'f', willContinue: true } }]),
        chunk([{ functionCall: { partialArgs: [{ jsonPath: '$.n', numberValue: 3 }, { jsonPath: '$.ok', boolValue: true }, { jsonPath: '$.z', nullValue: 'NULL_VALUE' }, { jsonPath: "$['a b'][1]", stringValue: 'x' }], willContinue: true } }], { finishReason: 'STOP' }),
      ]),
    );
    expect(a.content).toMatchObject([{ type: 'tool_call', name: 'f', input: { n: 3, ok: true, z: null, 'a b': [null, 'x'] } }]);
  });
});

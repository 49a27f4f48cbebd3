import { describe, expect, it } from 'vitest';
import { CodecError } from '../canonical/codec.js';
import type { Response } from '../canonical/types.js';
import { decodeGeminiResponse } from './decode-response.js';
import { cassette, recordedJson, type Loose } from './test-support.js';

const TOOL_ID = /^toolu_[A-Za-z0-9]{24}$/;
const ctx = { provider: 'google-ai-studio', model: 'gemini-3-pro-preview' };
const origin = { format: 'gemini', provider: 'google-ai-studio', model: 'gemini-3-pro-preview' };
const decode = (body: unknown, c = ctx): Response => decodeGeminiResponse(body, c);

describe('decodeResponse: recorded bodies', () => {
  it('google-text.json: text with its thought signature, thoughts counted as output', () => {
    const body = recordedJson('gemini--google-text.json') as Loose;
    const res = decode(body);
    expect(res.id).toBe('Un6LacrVMcjUxs0PmJfWoQc');
    expect(res.model).toBe('gemini-3-pro-preview');
    expect(res.content).toEqual([
      { type: 'text', text: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.", signature: body.candidates[0].content.parts[0].thoughtSignature, signatureOrigin: origin },
    ]);
    expect((res.content[0] as { signature: string }).signature.startsWith('EtoFCtcFAb4+9vtfe4MXRxQjw48U1WKrR/7lYsgFkVi/')).toBe(true);
    expect(res.stopReason).toBe('end_turn');
    // prompt 9; candidates 28 + thoughts 244
    expect(res.usage).toEqual({ input: 9, output: 272, cacheRead: 0, cacheWrite: 0, reasoning: 244 });
    expect(res.extensions).toEqual({ gemini: { response: { modelVersion: 'gemini-3-pro-preview' } } });
  });

  it('google-reasoning-gemini3.json', () => {
    const res = decode(recordedJson('gemini--google-reasoning-gemini3.json'));
    expect(res.content).toHaveLength(1);
    expect(res.content[0]).toMatchObject({ type: 'text', text: 'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.' });
    expect((res.content[0] as { signature: string }).signature).toMatch(/^EswFCskFAb4\+9vu5\+eCedpmcjHHK\+yjyrSAIGVBHj03GrObE\+hduQ213f7FDz0UD/);
    expect(res.usage).toEqual({ input: 9, output: 287, cacheRead: 0, cacheWrite: 0, reasoning: 258 });
  });

  it('google-tool-call.json: a function call with a minted id and its signature ends with tool_use', () => {
    const body = recordedJson('gemini--google-tool-call.json') as Loose;
    const res = decode(body);
    expect(res.content).toHaveLength(1);
    const call = res.content[0] as Loose;
    expect(call).toEqual({ type: 'tool_call', id: call.id, name: 'weather', input: { location: 'San Francisco' }, signature: body.candidates[0].content.parts[0].thoughtSignature, signatureOrigin: origin });
    expect(call.id).toMatch(TOOL_ID);
    expect(call.signature).toHaveLength(body.candidates[0].content.parts[0].thoughtSignature.length);
    expect(res.stopReason).toBe('tool_use');
    expect(res.usage).toEqual({ input: 29, output: 908, cacheRead: 0, cacheWrite: 0, reasoning: 893 });
    expect(res.extensions?.gemini).toEqual({ response: { modelVersion: 'gemini-3-pro-preview' }, candidate: { finishMessage: 'Model generated function call(s).' } });
  });

  it('google-code-execution-multiple-results.json: code execution parts are opaque Gemini blocks; tool-use prompt tokens are input', () => {
    const body = recordedJson('gemini--google-code-execution-multiple-results.json') as Loose;
    const res = decode(body, { provider: 'google-ai-studio', model: 'gemini-3-flash-preview' });
    const parts = body.candidates[0].content.parts;
    expect(res.content.slice(0, 3)).toEqual([
      { type: 'opaque', format: 'gemini', value: parts[0] },
      { type: 'opaque', format: 'gemini', value: parts[1] },
      { type: 'opaque', format: 'gemini', value: parts[2] },
    ]);
    expect((res.content[0] as Loose).value.thoughtSignature).toBe('EjQKMgFyyNp8VRG2uDen0QENDjUJEy6ZQlvEGUhI8VcgTgNaspEC3M5Cao6lhYRGpmCcClR1');
    expect(res.content[3]).toEqual({ type: 'text', text: parts[3].text, signature: 'EjQKMgFyyNp8EcK2k/joUmmIxJlqtIvdJP/1F+ziwsCn9P4uyk2ZNeBiYz2Um4GXD4IEGlE9', signatureOrigin: { ...origin, model: 'gemini-3-flash-preview' } });
    expect(res.stopReason).toBe('end_turn');
    // prompt 23 + tool-use prompt 289; candidates 35
    expect(res.usage).toEqual({ input: 312, output: 35, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });
});

describe('decodeResponse: recorded cassettes', () => {
  it('thinking part: a thought summary, then text carrying the signature', () => {
    const [first] = cassette('gemini--test_google_model_thinking_part.yaml');
    const parts = (first.body as Loose).candidates[0].content.parts;
    const res = decode(first.body);
    expect(res.content).toEqual([
      { type: 'thinking', text: parts[0].text, signatureOrigin: origin },
      { type: 'text', text: parts[1].text, signature: parts[1].thoughtSignature, signatureOrigin: origin },
    ]);
    expect((res.content[0] as Loose).text.startsWith('**A Safe Street-Crossing Guide: My Thought Process**')).toBe(true);
    expect(res.usage).toEqual({ input: 29, output: 1737, cacheRead: 0, cacheWrite: 0, reasoning: 1001 });
  });

  it('parallel calls: three tool calls, only the first signed', () => {
    const [first] = cassette('gemini--test_google_instructions_only_with_tool_calls.yaml');
    const res = decode(first.body, { provider: 'google-ai-studio', model: 'gemini-3-flash-preview' });
    expect(res.content.map((b) => b.type)).toEqual(['tool_call', 'tool_call', 'tool_call']);
    expect(res.content.map((b: Loose) => [b.name, b.input, b.signature === undefined])).toEqual([
      ['generate_topic', {}, false],
      ['generate_topic', {}, true],
      ['generate_topic', {}, true],
    ]);
    expect((res.content[0] as Loose).signature).toBe((first.body as Loose).candidates[0].content.parts[0].thoughtSignature);
    expect(new Set(res.content.map((b: Loose) => b.id)).size).toBe(3);
    expect(res.stopReason).toBe('tool_use');
    expect(res.usage).toEqual({ input: 83, output: 220, cacheRead: 0, cacheWrite: 0, reasoning: 190 });
  });

  it('final_result call arguments arrive intact', () => {
    const last = cassette('gemini--test_google_instructions_only_with_tool_calls.yaml').at(-1)!;
    const res = decode(last.body);
    expect(res.content[0]).toMatchObject({
      type: 'tool_call',
      name: 'final_result',
      input: {
        response: [
          'What kind of car does a sheep drive? A Lamborghini!',
          "Why don't you see penguins in Great Britain? Because they're afraid of Wales!",
          'What happened when the wheel was invented? It caused a revolution!',
        ],
      },
    });
  });

  it('MAX_TOKENS maps to max_tokens', () => {
    const [i] = cassette('gemini--test_google_model_max_tokens.yaml');
    const res = decode(i.body, { provider: 'google-ai-studio', model: 'gemini-2.5-flash' });
    expect(res.content).toEqual([{ type: 'text', text: 'The capital of France is' }]);
    expect(res.stopReason).toBe('max_tokens');
    expect(res.usage).toEqual({ input: 15, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('forced function calls on gemini-2.0 (no signatures)', () => {
    const [a, b] = cassette('gemini--test_google_tool_output.yaml');
    const first = decode(a.body, { provider: 'google-ai-studio', model: 'gemini-2.0-flash' });
    expect(first.content).toEqual([{ type: 'tool_call', id: (first.content[0] as Loose).id, name: 'get_user_country', input: {} }]);
    expect(first.stopReason).toBe('tool_use');
    expect(first.usage).toEqual({ input: 33, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    expect(first.extensions?.gemini).toEqual({ response: { modelVersion: 'gemini-2.0-flash' }, candidate: { avgLogprobs: 5.670217797160149e-6 } });
    expect(decode(b.body).content[0]).toMatchObject({ name: 'final_result', input: { city: 'Mexico City', country: 'Mexico' } });
  });

  it('grounding metadata is kept for a Gemini client; tool-use prompt tokens count as input', () => {
    const [i] = cassette('gemini--test_google_model_web_search_tool.yaml');
    const res = decode(i.body, { provider: 'google-ai-studio', model: 'gemini-2.5-pro' });
    expect(res.content).toHaveLength(1);
    expect((res.content[0] as Loose).text).toBe((i.body as Loose).candidates[0].content.parts[0].text);
    expect((res.extensions?.gemini as Loose).candidate.groundingMetadata).toEqual((i.body as Loose).candidates[0].groundingMetadata);
    // prompt 17 + tool-use 119; candidates 201 + thoughts 213
    expect(res.usage).toEqual({ input: 136, output: 414, cacheRead: 0, cacheWrite: 0, reasoning: 213 });
  });

  it('an image prompt', () => {
    const [, i] = cassette('gemini--test_google_model_image_url_input.yaml');
    const res = decode(i.body, { provider: 'google-ai-studio', model: 'gemini-2.0-flash' });
    expect(res.content).toEqual([{ type: 'text', text: 'That is a potato.' }]);
    expect(res.usage).toEqual({ input: 1817, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });
});

describe('decodeResponse: finish reasons and usage', () => {
  const body = (parts: unknown[] | undefined, finishReason?: string, extra: Record<string, unknown> = {}) => ({
    candidates: [{ ...(parts ? { content: { role: 'model', parts } } : {}), ...(finishReason ? { finishReason } : {}), ...extra }],
    usageMetadata: { promptTokenCount: 1000, cachedContentTokenCount: 800, candidatesTokenCount: 20, thoughtsTokenCount: 30, toolUsePromptTokenCount: 5 },
    responseId: 'r1',
  });

  it('subtracts cached tokens from input and reports them as cache reads', () => {
    // 1000 prompt (incl. 800 cached) + 5 tool-use prompt; 20 candidates + 30 thoughts
    expect(decode(body([{ text: 'hi' }], 'STOP')).usage).toEqual({ input: 205, output: 50, cacheRead: 800, cacheWrite: 0, reasoning: 30 });
  });

  it('MALFORMED_FUNCTION_CALL ends the turn with an explanation instead of claiming a tool call', () => {
    const res = decode(body(undefined, 'MALFORMED_FUNCTION_CALL', { finishMessage: 'Malformed function call: print(' }));
    expect(res.stopReason).toBe('end_turn');
    expect(res.content).toEqual([{ type: 'text', text: '[Gemini could not produce a valid function call (MALFORMED_FUNCTION_CALL): Malformed function call: print(]' }]);
    expect(decode(body([{ text: 'partial' }], 'UNEXPECTED_TOOL_CALL')).content).toEqual([
      { type: 'text', text: 'partial' },
      { type: 'text', text: '[Gemini could not produce a valid function call (UNEXPECTED_TOOL_CALL)]' },
    ]);
  });

  it('the safety family is a refusal, explained when nothing else came', () => {
    for (const reason of ['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']) expect(decode(body([{ text: 'x' }], reason)).stopReason).toBe('refusal');
    expect(decode(body(undefined, 'SAFETY')).content).toEqual([{ type: 'text', text: '[Gemini stopped the response (SAFETY)]' }]);
    expect(decode(body([{ text: 'partial answer' }], 'RECITATION')).content).toEqual([{ type: 'text', text: 'partial answer' }]);
  });

  it('other reasons end the turn; any function call makes it tool_use', () => {
    for (const reason of ['STOP', 'OTHER', 'FINISH_REASON_UNSPECIFIED', 'LANGUAGE_X']) expect(decode(body([{ text: 'x' }], reason)).stopReason).toBe('end_turn');
    expect(decode(body([{ text: 'x' }])).stopReason).toBe('end_turn');
    expect(decode(body([{ functionCall: { name: 'f', args: { a: 1 } } }], 'MAX_TOKENS')).stopReason).toBe('tool_use');
  });

  it('a blocked prompt (no candidates) is a refusal with an explanation', () => {
    const res = decode({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT', blockReasonMessage: 'nope' }, usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 }, responseId: 'b' });
    expect(res).toEqual({ id: 'b', model: 'gemini-3-pro-preview', content: [{ type: 'text', text: '[Gemini blocked the prompt (PROHIBITED_CONTENT): nope]' }], stopReason: 'refusal', usage: { input: 12, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, extensions: { gemini: { response: { promptFeedback: { blockReason: 'PROHIBITED_CONTENT', blockReasonMessage: 'nope' } } } } });
  });

  it('reads snake_case members, mints an id when there is none, and args default to {}', () => {
    const res = decode({ candidates: [{ content: { parts: [{ function_call: { name: 'noargs' }, thought_signature: 'SIG' }] }, finish_reason: 'STOP' }], usage_metadata: { prompt_token_count: 3, candidates_token_count: 2 } });
    expect(res.id).toMatch(/^gen_[A-Za-z0-9]{24}$/);
    expect(res.content).toEqual([{ type: 'tool_call', id: (res.content[0] as Loose).id, name: 'noargs', input: {}, signature: 'SIG', signatureOrigin: origin }]);
    expect(res.usage).toEqual({ input: 3, output: 2, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('merges consecutive text parts; a signature on an empty trailing part goes to the text', () => {
    const res = decode(body([{ text: 'a' }, { text: 'b' }, { text: '', thoughtSignature: 'S' }], 'STOP'));
    expect(res.content).toEqual([{ type: 'text', text: 'ab', signature: 'S', signatureOrigin: origin }]);
  });

  it('a signature after a function call becomes a signature-only thinking block', () => {
    const res = decode(body([{ functionCall: { name: 'f', args: {} } }, { text: '', thoughtSignature: 'S' }], 'STOP'));
    expect(res.content.map((b) => b.type)).toEqual(['tool_call', 'thinking']);
    expect(res.content[1]).toEqual({ type: 'thinking', text: '', signature: 'S', signatureOrigin: origin });
  });

  it('rejects error bodies and non-objects', () => {
    expect(() => decode({ error: { code: 400, message: 'bad' } })).toThrow(CodecError);
    expect(() => decode('nope')).toThrow(CodecError);
  });
});

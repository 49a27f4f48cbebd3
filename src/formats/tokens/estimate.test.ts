import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContentBlock, Message, Request } from '../canonical/types.js';
import { deepFreeze } from '../json-scan/index.js';
import { approxTokens, clearApproxMemo } from './approx.js';
import { countInputTokens, countTextTokens, estimateInputTokens, type TokenizerFamily } from './index.js';
import { clearTextCountMemo } from './text-count.js';
import { anthropicToCanonical, claudeCodeBody, SHARED } from './testing/fixtures.js';

const FAMILIES: TokenizerFamily[] = ['openai-o200k', 'openai-cl100k', 'anthropic', 'gemini', 'generic'];

function req(model: string, messages: Message[], extra: Partial<Request> = {}): Request {
  return { model, system: [], messages, stream: true, extensions: {}, ...extra };
}
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

/** A 1000x500 PNG header: enough for the size reader, no pixels needed. */
function pngBase64(w: number, h: number): string {
  const b = Buffer.alloc(64);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(b);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  return b.toString('base64');
}

describe('loading', () => {
  it('estimates every family without a BPE table; only an exact OpenAI count loads one', () => {
    const loaded = (): boolean => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('gpt-tokenizer'));
    const r = req('gpt-4o', [user('Hello! Please read the attached file and summarise it.')], { system: [{ type: 'text', text: 'You are a helpful assistant.' }] });
    expect(loaded()).toBe(false);
    for (const family of FAMILIES) expect(estimateInputTokens(r, family)).toBeGreaterThan(10);
    for (const family of ['anthropic', 'gemini', 'generic'] as const) expect(countInputTokens(r, family)).toBe(estimateInputTokens(r, family));
    expect(loaded()).toBe(false);
    countInputTokens(r, 'openai-o200k');
    expect(loaded()).toBe(true);
  });
});

describe('estimateInputTokens', () => {
  it('counts OpenAI chat exactly as the cookbook: 3 per message + 3 priming + content', () => {
    const r = req('gpt-4o', [user('Hello!')], { system: [{ type: 'text', text: 'You are a helpful assistant.' }] });
    // "Hello!" = 2 tokens, the system prompt 6: exact for count_tokens, and the BPE-free estimate agrees here.
    expect(countInputTokens(r, 'openai-o200k')).toBe(3 + 3 + 6 + 3 + 2);
    expect(estimateInputTokens(r, 'openai-o200k')).toBe(3 + 3 + 6 + 3 + 2);
  });

  it('estimates OpenAI requests close to the exact count on the request path', () => {
    const long = readFileSync(path.join(SHARED, 'reference/gateways.md'), 'utf8').slice(0, 20_000);
    const r = req('gpt-4o', [user(long), { role: 'assistant', content: [{ type: 'text', text: 'Summary: gateways differ.' }] }, user('Thanks. Which one streams?')]);
    const exact = countInputTokens(r, 'openai-o200k');
    expect(Math.abs(estimateInputTokens(r, 'openai-o200k') - exact) / exact).toBeLessThan(0.05);
  });

  it('prices images per family from the header of inline data', () => {
    const image: ContentBlock = { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: pngBase64(1000, 500) } };
    const plain = req('m', [user('look')]);
    const withImage = req('m', [{ role: 'user', content: [{ type: 'text', text: 'look' }, image] }]);
    const delta = (family: TokenizerFamily, model: string): number =>
      estimateInputTokens({ ...withImage, model }, family) - estimateInputTokens({ ...plain, model }, family);
    expect(delta('openai-o200k', 'gpt-4o')).toBe(85 + 170 * 2); // no resize needed: 2 x 1 tiles of 512 px
    expect(delta('anthropic', 'claude-sonnet-4-5')).toBe(Math.ceil((1000 * 500) / 750));
    expect(delta('gemini', 'gemini-2.5-flash')).toBe(258 * (4 * 2 + 1)); // 333 px crops: 4 x 2, plus the overview
    expect(delta('gemini', 'gemini-3-pro-preview')).toBe(1120);
  });

  it('adds the Anthropic tool-use preamble by tool choice, and server tools', () => {
    const tool = { name: 'get_weather', description: 'Weather', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } };
    const base = req('claude-sonnet-4-5', [user('weather?')]);
    const auto = estimateInputTokens({ ...base, tools: [tool] }, 'anthropic');
    const forced = estimateInputTokens({ ...base, tools: [tool], toolChoice: { type: 'any' } }, 'anthropic');
    expect(auto - forced).toBe(346 - 313);
    expect(auto - estimateInputTokens(base, 'anthropic')).toBeGreaterThan(346);
    const search = { ...base, extensions: { anthropic: { server_tools: [{ index: 0, tool: { type: 'web_search_20250305', name: 'web_search' } }] } } };
    expect(estimateInputTokens(search, 'anthropic') - estimateInputTokens(base, 'anthropic')).toBe(2020);
  });

  describe('replayed reasoning', () => {
    const thinking: ContentBlock = { type: 'thinking', text: 'Let me think about this carefully. '.repeat(40), signature: 'sig', signatureOrigin: { format: 'anthropic' } };
    const earlier: Message[] = [user('question'), { role: 'assistant', content: [thinking, { type: 'text', text: 'answer' }] }, user('follow-up')];
    const toolLoop: Message[] = [
      user('question'),
      { role: 'assistant', content: [thinking, { type: 'tool_call', id: 'toolu_1', name: 'f', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'ok' }] }] },
    ];
    const without = (ms: Message[]): Message[] => ms.map((m) => ({ ...m, content: m.content.filter((b) => b.type !== 'thinking') }));
    const cost = (model: string, ms: Message[], family: TokenizerFamily = 'anthropic'): number =>
      estimateInputTokens(req(model, ms), family) - estimateInputTokens(req(model, without(ms)), family);

    it('Anthropic strips thinking of earlier turns but bills it in the tool loop in progress', () => {
      expect(cost('claude-sonnet-4-5', earlier)).toBe(0);
      expect(cost('claude-opus-4-20250514', earlier)).toBe(0);
      expect(cost('claude-opus-4-1-20250805', earlier)).toBe(0);
      expect(cost('claude-sonnet-4-5', toolLoop)).toBeGreaterThan(250);
    });

    it('Opus 4.5 and later keep thinking of every turn', () => {
      expect(cost('claude-opus-4-5', earlier)).toBeGreaterThan(250);
      expect(cost('claude-opus-4-5-20251101', earlier)).toBeGreaterThan(250);
      expect(cost('claude-opus-4-8', earlier)).toBe(cost('claude-opus-4-8', toolLoop));
    });

    it('foreign reasoning never reaches the upstream', () => {
      const foreign = toolLoop.map((m) => ({ ...m, content: m.content.map((b) => (b.type === 'thinking' ? { ...b, signatureOrigin: { format: 'gemini' as const } } : b)) }));
      expect(cost('claude-sonnet-4-5', foreign)).toBe(0);
      expect(cost('gpt-4o', toolLoop, 'openai-o200k')).toBe(0);
    });

    it('Gemini bills a replayed thought signature as the thinking it encrypts', () => {
      const sig = 'E'.repeat(5170);
      const call = (signature?: string): Message[] => [
        user('q'),
        { role: 'assistant', content: [{ type: 'tool_call', id: 'a', name: 'f', input: {}, ...(signature ? { signature, signatureOrigin: { format: 'gemini' as const } } : {}) }] },
      ];
      const flash = estimateInputTokens(req('gemini-3-flash-preview', call(sig)), 'gemini') - estimateInputTokens(req('gemini-3-flash-preview', call()), 'gemini');
      expect(flash).toBe(1000);
      const anthropicSig = [user('q'), { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'x', signature: sig, signatureOrigin: { format: 'anthropic' as const } }] }];
      expect(estimateInputTokens(req('gemini-3-flash-preview', anthropicSig), 'gemini')).toBeLessThan(50);
    });
  });

  it('is a deterministic positive integer that grows with the conversation, for every family', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 200 });
    const block: fc.Arbitrary<ContentBlock> = fc.oneof(
      text.map((t) => ({ type: 'text' as const, text: t })),
      fc.record({ id: fc.string(), name: fc.string({ minLength: 1, maxLength: 20 }), input: fc.dictionary(fc.string(), fc.jsonValue()) }).map((r) => ({ type: 'tool_call' as const, ...r })),
      fc.record({ toolCallId: fc.string(), text }).map((r) => ({ type: 'tool_result' as const, toolCallId: r.toolCallId, content: [{ type: 'text' as const, text: r.text }] })),
      fc.record({ text, signature: fc.option(fc.base64String(), { nil: undefined }) }).map((r) => ({ type: 'thinking' as const, ...r })),
      fc.constant({ type: 'image' as const, source: { kind: 'url' as const, url: 'https://example.com/x.png' } }),
      fc.jsonValue().map((v) => ({ type: 'opaque' as const, format: 'anthropic' as const, value: v })),
    );
    const message: fc.Arbitrary<Message> = fc.record({ role: fc.constantFrom('user' as const, 'assistant' as const, 'system' as const), content: fc.array(block, { maxLength: 4 }) });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), text, fc.constantFrom(...FAMILIES), (messages, extra, family) => {
        const r = req('some-model', messages, { system: [{ type: 'text', text: 'sys' }] });
        const n = estimateInputTokens(r, family);
        expect(Number.isInteger(n) && n > 0).toBe(true);
        expect(estimateInputTokens(structuredClone(r), family)).toBe(n);
        // A new user turn can only shrink an Anthropic estimate by retiring the previous turn's thinking.
        const hasReasoning = messages.some((m) => m.content.some((b) => b.type === 'thinking'));
        if (!hasReasoning) expect(estimateInputTokens({ ...r, messages: [...messages, user(extra)] }, family)).toBeGreaterThan(n);
      }),
      { numRuns: 200 },
    );
  });
});

describe('countTextTokens', () => {
  it('is the exact BPE count for OpenAI families and a scaled BPE-free estimate for the others', () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    expect(countTextTokens(text, 'openai-o200k')).toBe(10);
    expect(countTextTokens(text, 'openai-cl100k')).toBe(10);
    expect(approxTokens(text)).toBe(10);
    expect(countTextTokens(text, 'anthropic')).toBe(10);
    expect(countTextTokens(text, 'gemini')).toBe(Math.ceil(10 * 0.97));
    expect(countTextTokens(text, 'generic')).toBe(11);
    expect(countTextTokens('', 'anthropic')).toBe(0);
  });
});

// Timing is measured by `npm run bench` and stated in docs/token-counting.md, never asserted by a unit test.
describe('a 200 KB Claude Code request', () => {
  /** The largest recorded Claude Code request (24 tools, system prompt, Bash turn) plus two Read results of real files. */
  function bigRequest(): { request: Request; bytes: number } {
    const body = claudeCodeBody();
    const wire = readFileSync(path.join(SHARED, 'reference/wire-formats.md'), 'utf8');
    const gateways = readFileSync(path.join(SHARED, 'reference/gateways.md'), 'utf8');
    const room = 200_000 - JSON.stringify(body).length - wire.length - 400;
    const messages = [
      ...(body.messages as unknown[]),
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01A', name: 'Read', input: { file_path: '/home/dev/project/wire-formats.md' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: wire }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01B', name: 'Read', input: { file_path: '/home/dev/project/gateways.md' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01B', content: gateways.slice(0, room) }] },
    ];
    const full = { ...body, messages };
    return { request: anthropicToCanonical(full), bytes: JSON.stringify(full).length };
  }

  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  it('is estimated for every family without a BPE, close to what count_tokens counts with one', () => {
    const { request, bytes } = bigRequest();
    expect(bytes).toBeGreaterThan(195_000);
    const report: string[] = [`request: ${bytes} bytes`];
    for (const family of ['anthropic', 'openai-o200k', 'gemini'] as const) {
      const cold: number[] = [];
      const resent: number[] = [];
      let n = 0;
      for (let i = 0; i < 7; i++) {
        clearApproxMemo();
        let t = performance.now();
        n = estimateInputTokens(request, family);
        cold.push(performance.now() - t);
        t = performance.now();
        expect(estimateInputTokens(request, family)).toBe(n);
        resent.push(performance.now() - t);
      }
      report.push(`${family}: ${n} tokens estimated, median ${median(cold).toFixed(1)} ms with nothing remembered (first ${cold[0].toFixed(1)} ms), ${median(resent).toFixed(2)} ms resent`);
      expect(n).toBeGreaterThan(40_000);
    }
    // count_tokens for an OpenAI model: the real BPE, loaded on first use; long texts are sampled, counts memoised.
    let t = performance.now();
    const exact = countInputTokens(request, 'openai-o200k');
    const first = performance.now() - t;
    const cold: number[] = [];
    for (let i = 0; i < 7; i++) {
      clearTextCountMemo();
      t = performance.now();
      expect(countInputTokens(request, 'openai-o200k')).toBe(exact);
      cold.push(performance.now() - t);
    }
    t = performance.now();
    expect(countInputTokens(request, 'openai-o200k')).toBe(exact);
    const resent = performance.now() - t;
    const estimate = estimateInputTokens(request, 'openai-o200k');
    report.push(`openai-o200k count_tokens: ${exact} tokens (estimate ${((100 * (estimate - exact)) / exact).toFixed(1)} %), first ${first.toFixed(0)} ms with loading the BPE, median ${median(cold).toFixed(1)} ms with nothing remembered, ${resent.toFixed(2)} ms resent`);
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.05);
    console.log(report.join('\n'));
  });
});

describe('shared tools', () => {
  const schema = (prop: string) => ({ type: 'object', properties: { [prop]: { type: 'string', description: 'where' } }, required: [prop] });
  const toolsOf = (description: string, prop = 'path', frozen = true) =>
    Array.from({ length: 6 }, (_, i) => ({
      name: `tool_${i}`,
      description: i === 2 ? description : `Tool ${i} does its thing.`,
      inputSchema: frozen ? deepFreeze(schema(i === 4 ? prop : 'path')) : schema(i === 4 ? prop : 'path'),
      ...(i === 5 ? { cacheControl: { type: 'ephemeral' as const } } : {}),
    }));

  it('count the same whether their schemas are shared and frozen or not, and follow every change', () => {
    for (const family of ['openai-o200k', 'openai-cl100k'] as const) {
      const plain = (d: string, p?: string) => estimateInputTokens(req('gpt-5.1', [user('hi')], { tools: toolsOf(d, p, false) }), family);
      const shared = (d: string, p?: string) => estimateInputTokens(req('gpt-5.1', [user('hi')], { tools: toolsOf(d, p) }), family);
      expect(shared('Reads a file.')).toBe(plain('Reads a file.'));
      // Again: the kept count.
      expect(shared('Reads a file.')).toBe(plain('Reads a file.'));
      const longer = 'Reads a file, then tells you at length what it found in it, line by line and word by word.';
      expect(shared(longer)).toBe(plain(longer));
      expect(shared(longer)).toBeGreaterThan(shared('Reads a file.'));
      expect(shared('Reads a file.', 'a_much_longer_property_name_than_path')).toBe(plain('Reads a file.', 'a_much_longer_property_name_than_path'));
      expect(shared('Reads a file.', 'a_much_longer_property_name_than_path')).toBeGreaterThan(shared('Reads a file.'));
    }
  });

  it('leave the request its own objects (nothing of it is frozen by the count)', () => {
    const tools = toolsOf('Reads a file.');
    estimateInputTokens(req('gpt-5.1', [user('hi')], { tools }), 'openai-o200k');
    estimateInputTokens(req('gpt-5.1', [user('hi')], { tools }), 'openai-o200k');
    expect(Object.isFrozen(tools[5].cacheControl)).toBe(false);
    expect(Object.isFrozen(tools[0])).toBe(false);
  });
});

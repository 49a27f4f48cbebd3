import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyUsage, type StreamEvent } from '../canonical/types.js';
import { OpenAIStreamEncoder } from './stream-encode.js';

const text = fc.string({ unit: 'binary', maxLength: 12 });

/** Events of one stream: text, reasoning and tool calls in any order (the encoder numbers tool calls as they start). */
const events = fc.array(
  fc.oneof(
    text.map((t): StreamEvent => ({ type: 'text_delta', index: 0, text: t })),
    text.map((t): StreamEvent => ({ type: 'thinking_delta', index: 1, text: t })),
    fc.record({ index: fc.integer({ min: 2, max: 4 }), id: text, name: text }).map((c): StreamEvent => ({ type: 'block_start', index: c.index, block: { type: 'tool_call', id: c.id, name: c.name } })),
    fc.record({ index: fc.integer({ min: 2, max: 4 }), json: text }).map((c): StreamEvent => ({ type: 'tool_args_delta', index: c.index, json: c.json })),
    fc.integer({ min: 2, max: 4 }).map((index): StreamEvent => ({ type: 'block_stop', index })),
  ),
  { maxLength: 12 },
);

describe('OpenAIStreamEncoder', () => {
  it('writes each delta chunk as the JSON of the whole chunk object, in its key order (property)', () => {
    fc.assert(
      fc.property(text, text, fc.boolean(), events, (id, model, includeUsage, list) => {
        const enc = new OpenAIStreamEncoder({ model, includeUsage });
        let out = enc.push({ type: 'start', id, model: 'upstream', usage: emptyUsage() });
        for (const e of list) out += enc.push(e);
        const datas = out.split('\n\n').filter((x) => x !== '');
        for (const event of datas) {
          expect(event.startsWith('data: ')).toBe(true);
          const data = event.slice('data: '.length);
          expect(data).not.toMatch(/[\r\n]/);
          const chunk = JSON.parse(data) as { id: string; created: number; choices: Array<{ delta: unknown }> };
          const expected = {
            id: chunk.id,
            object: 'chat.completion.chunk',
            created: chunk.created,
            model,
            choices: [{ index: 0, delta: chunk.choices[0].delta, logprobs: null, finish_reason: null }],
            ...(includeUsage && { usage: null }),
          };
          expect(data).toBe(JSON.stringify(expected));
          // An upstream without an id gets a random one.
          if (id === '') expect(chunk.id).toMatch(/^chatcmpl-./);
          else expect(chunk.id).toBe(id.startsWith('chatcmpl-') ? id : `chatcmpl-${id}`);
          expect(chunk.id).toBe(JSON.parse(datas[0].slice(6)).id);
          expect(Number.isInteger(chunk.created)).toBe(true);
        }
        // The role chunk first, then one chunk per event that says something.
        expect(JSON.parse(datas[0].slice(6)).choices[0].delta).toEqual({ role: 'assistant', content: '' });
        const texts = list.filter((e) => e.type === 'text_delta').map((e) => (e as { text: string }).text);
        const sent = datas.map((d) => (JSON.parse(d.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0].delta.content).filter((c) => c !== undefined);
        expect(sent).toEqual(['', ...texts]);
      }),
      { numRuns: 300 },
    );
  });
});

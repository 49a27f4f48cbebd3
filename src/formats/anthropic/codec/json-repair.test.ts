import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseToolInput } from './json-repair.js';

describe('parseToolInput', () => {
  it('parses, completes truncated JSON, else gives {}', () => {
    expect(parseToolInput('{"a":1}')).toEqual({ a: 1 });
    expect(parseToolInput('')).toEqual({});
    expect(parseToolInput('{"a": "xy')).toEqual({ a: 'xy' });
    expect(parseToolInput('{"a": [1, 2')).toEqual({ a: [1, 2] });
    expect(parseToolInput('{"a": 1, "b": tru')).toEqual({ a: 1 });
    expect(parseToolInput('{"a": 1, "b')).toEqual({ a: 1 });
    expect(parseToolInput('{"a": 1, "b":')).toEqual({ a: 1 });
    expect(parseToolInput('{"a": {"b": "c"}, "d": {"e')).toEqual({ a: { b: 'c' }, d: {} });
    expect(parseToolInput('{"q": "say \\"hi')).toEqual({ q: 'say "hi' });
    expect(parseToolInput('[1,2]')).toEqual({});
    expect(parseToolInput('not json')).toEqual({});
    expect(parseToolInput('{"a":1}}')).toEqual({});
  });

  it('every prefix of a JSON object parses to an object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 3 })), (obj) => {
        const json = JSON.stringify(obj);
        expect(parseToolInput(json)).toEqual(JSON.parse(json));
        for (let i = 1; i < json.length; i++) {
          const v = parseToolInput(json.slice(0, i));
          expect(typeof v === 'object' && v !== null && !Array.isArray(v)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

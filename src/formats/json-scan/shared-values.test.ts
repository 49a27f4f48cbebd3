import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepFreeze, isDeeplyFrozen, sameJson, SharedValues } from './shared-values.js';

describe('SharedValues', () => {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');

  it('parses each distinct text once and hands out the same deep-frozen value', () => {
    const shared = new SharedValues(1 << 20);
    const tools = [{ name: 'Read', description: 'Reads → a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }];
    const a = Buffer.concat([Buffer.from('{"tools":'), json(tools), Buffer.from('}')]);
    const b = Buffer.concat([Buffer.from('{"other":1,"tools":'), json(tools), Buffer.from('}')]);
    const first = shared.get(a, 9, a.length - 1);
    // The same bytes elsewhere in another body: the same object.
    expect(shared.get(b, 19, b.length - 1)).toBe(first);
    // Byte strings: each char one UTF-8 byte.
    expect(first).toEqual(JSON.parse(json(tools).toString('latin1')));
    expect(isDeeplyFrozen(first as object)).toBe(true);
    const schema = (first as Array<{ input_schema: { properties: { path: Record<string, unknown> } } }>)[0].input_schema;
    expect(() => {
      schema.properties.path.type = 'number';
    }).toThrow(TypeError);
  });

  it('tells texts apart that share length and samples', () => {
    const shared = new SharedValues(1 << 20);
    // Texts of one length that differ in one byte: the key samples a few words, so for most positions only the byte
    // comparison tells them apart.
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 297 }), (at) => {
        const base = 'x'.repeat(300);
        const one = json([base.slice(0, at) + 'A' + base.slice(at + 1)]);
        const two = json([base.slice(0, at) + 'B' + base.slice(at + 1)]);
        expect(shared.get(one, 0, one.length)).toEqual(JSON.parse(one.toString('latin1')));
        expect(shared.get(two, 0, two.length)).toEqual(JSON.parse(two.toString('latin1')));
        expect(shared.get(one, 0, one.length)).toEqual(JSON.parse(one.toString('latin1')));
      }),
      { numRuns: 100 },
    );
    // Short texts (under one word) too.
    expect(shared.get(json(1), 0, 1)).toBe(1);
    expect(shared.get(json(2), 0, 1)).toBe(2);
  });

  it('keeps at most its budget, least recently used out first', () => {
    const shared = new SharedValues(4000);
    const texts = [0, 1, 2, 3, 4].map((i) => json([String(i).repeat(900)]));
    const values = texts.map((t) => shared.get(t, 0, t.length));
    // The newest four fit (4 x ~905 bytes); the first was dropped and is parsed anew.
    expect(shared.get(texts[4], 0, texts[4].length)).toBe(values[4]);
    expect(shared.get(texts[0], 0, texts[0].length)).not.toBe(values[0]);
  });
});

describe('sameJson', () => {
  it('is true only when the two serialise the same (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }), (a, b) => {
        if (sameJson(a, b)) expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        expect(sameJson(a, structuredClone(a))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('trusts one object twice only when deepFreeze froze it', () => {
    const mutable = { a: [1, 2] };
    expect(sameJson(mutable, mutable)).toBe(false);
    const frozen = deepFreeze({ a: [1, { b: 'c' }] });
    expect(sameJson(frozen, frozen)).toBe(true);
    // Frozen parts inside fresh wrappers: compared by reference, the wrappers by their members.
    expect(sameJson({ type: 'function', fn: frozen }, { type: 'function', fn: frozen })).toBe(true);
    expect(sameJson({ type: 'function', fn: frozen }, { fn: frozen, type: 'function' })).toBe(false);
    expect(sameJson({ fn: frozen, x: 1 }, { fn: frozen, x: 2 })).toBe(false);
  });

  it('answers false where JSON.stringify would drop or rewrite something', () => {
    expect(sameJson({ a: undefined }, { a: undefined })).toBe(false);
    expect(sameJson(Number.NaN, Number.NaN)).toBe(false);
    const d = new Date(0);
    expect(sameJson({ d }, { d: new Date(0) })).toBe(false);
  });
});

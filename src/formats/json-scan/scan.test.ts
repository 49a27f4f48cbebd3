import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidUtf8, JsonScanError, parseValue, scanTopLevel, spliceMembers, valueKind, type Edit } from './index.js';

const B = (s: string): Buffer => Buffer.from(s, 'utf8');

function scanError(input: string | Uint8Array, maxDepth?: number): JsonScanError {
  try {
    scanTopLevel(typeof input === 'string' ? B(input) : input, maxDepth === undefined ? {} : { maxDepth });
  } catch (e) {
    expect(e).toBeInstanceOf(JsonScanError);
    return e as JsonScanError;
  }
  throw new Error(`expected ${String(input)} to be rejected`);
}

function splice(text: string, edits: (o: ReturnType<typeof scanTopLevel>) => Edit[], append?: Array<[string, string | Buffer]>): string {
  const buf = B(text);
  const obj = scanTopLevel(buf);
  const out = spliceMembers(buf, obj, edits(obj), append);
  expect(out.chunks.reduce((n, c) => n + c.length, 0)).toBe(out.length);
  return Buffer.concat(out.chunks).toString();
}

describe('scanTopLevel', () => {
  it('records exact member and value spans', () => {
    const text = ' { "model" : "claude" ,"n":-1.5e+3,\n"x":{"a":[1,{}]}, "e":[] } \n';
    const buf = B(text);
    const o = scanTopLevel(buf);
    expect(o.openBrace).toBe(1);
    expect(o.closeBrace).toBe(text.lastIndexOf('}'));
    expect(o.members.map((m) => m.key)).toEqual(['model', 'n', 'x', 'e']);
    const slice = (a: number, b: number) => text.slice(a, b);
    const [model, n, x, e] = o.members;
    expect(slice(model.memberStart, model.memberEnd)).toBe(' "model" : "claude" ');
    expect(slice(model.keyStart, model.keyStart + 7)).toBe('"model"');
    expect(slice(model.valueStart, model.valueEnd)).toBe('"claude"');
    expect(slice(n.memberStart, n.memberEnd)).toBe('"n":-1.5e+3');
    expect(slice(x.valueStart, x.valueEnd)).toBe('{"a":[1,{}]}');
    expect(slice(e.memberStart, e.memberEnd)).toBe(' "e":[] ');
    expect(parseValue(buf, x)).toEqual({ a: [1, {}] });
    expect(o.get('n')).toBe(n);
    expect(o.get('missing')).toBeUndefined();
  });

  it('handles the empty object and whitespace', () => {
    expect(scanTopLevel(B('{}')).members).toEqual([]);
    const o = scanTopLevel(B('\r\n\t {  \n } \t'));
    expect(o.members).toEqual([]);
    expect([o.openBrace, o.closeBrace]).toEqual([4, 9]);
  });

  it('decodes escaped keys and keeps duplicates, get() returning the last like JSON.parse', () => {
    const text = '{"a\\u0062\\n":1,"dup":1,"é\\/":2,"dup":3,"\\ud800":4}';
    const buf = B(text);
    const o = scanTopLevel(buf);
    expect(o.members.map((m) => m.key)).toEqual(['ab\n', 'dup', 'é/', 'dup', '\ud800']);
    expect(parseValue(buf, o.get('dup')!)).toBe(3);
    expect(parseValue(buf, o.get('dup')!)).toBe((JSON.parse(text) as { dup: number }).dup);
  });

  it('uses a map for get() on wide objects, still last-wins', () => {
    const pairs = Array.from({ length: 40 }, (_, i) => `"k${i % 30}":${i}`);
    const buf = B(`{${pairs.join(',')}}`);
    const o = scanTopLevel(buf);
    expect(parseValue(buf, o.get('k5')!)).toBe(35);
    expect(parseValue(buf, o.get('k29')!)).toBe(29);
    expect(o.get('k30')).toBeUndefined();
  });

  it('accepts a Uint8Array at any byte offset and never reads outside it', () => {
    const text = '{"s":"' + 'abcdefgh\\n'.repeat(50) + '","t":[true,false,null]}';
    for (let off = 0; off < 8; off++) {
      const backing = new Uint8Array(off + text.length + 16).fill(0x22); // quotes around: reading past would matter
      backing.set(B(text), off);
      const view = backing.subarray(off, off + text.length);
      const o = scanTopLevel(view);
      expect(o.members.map((m) => m.key)).toEqual(['s', 't']);
      expect(parseValue(view, o.members[0])).toBe('abcdefgh\n'.repeat(50));
      expect(valueKind(view, o.members[1])).toBe('array');
    }
  });

  it('reports value kinds', () => {
    const buf = B('{"o":{},"a":[],"s":"","n":-0,"t":true,"f":false,"z":null,"d":3}');
    const o = scanTopLevel(buf);
    expect(o.members.map((m) => valueKind(buf, m))).toEqual(['object', 'array', 'string', 'number', 'boolean', 'boolean', 'null', 'number']);
  });

  it('accepts what JSON.parse accepts at the edges', () => {
    for (const ok of [
      '{"a":"\\ud800"}',
      '{"a":"\\uDFFF\\u0000\\/\\b\\f\\n\\r\\t\\\\\\""}',
      '{"a":1E400}',
      '{"a":-0.0e-0}',
      '{"a":0}',
      '{"a":"\u2028\u2029\x7f"}',
      '{"":""}',
      '{"a":[[[[]]]],"b":{"c":{"d":{}}}}',
      '{"a":"\\\\"}',
      '{"a":"x\\\\\\\\"}',
    ]) {
      expect(() => JSON.parse(ok), ok).not.toThrow();
      expect(() => scanTopLevel(B(ok)), ok).not.toThrow();
    }
  });

  it.each([
    ['', 'Unexpected end of JSON input', 0],
    ['   ', 'Unexpected end of JSON input', 3],
    ['{', 'Unexpected end of JSON input', 1],
    ['{"a"', 'Unexpected end of JSON input', 4],
    ['{"a":', 'Unexpected end of JSON input', 5],
    ['{"a":1', 'Unexpected end of JSON input', 6],
    ['{"a":1,', 'Unexpected end of JSON input', 7],
    ['{"a":[1', 'Unexpected end of JSON input', 7],
    ['{"a', 'Unterminated string', 1],
    ['{"a":"b\\"}', 'Unterminated string', 5],
    ['{"a":1,}', "Unexpected token '}' at byte 7", 7],
    ['{"a":[1,]}', "Unexpected token ']' at byte 8", 8],
    ['{,}', "Unexpected token ',' at byte 1", 1],
    ['{"a" 1}', "Unexpected token '1' at byte 5", 5],
    ['{"a":1 "b":2}', "Unexpected token '\"' at byte 7", 7],
    ['{"a":01}', "Unexpected token '1' at byte 6", 6],
    ['{"a":1.}', "Unexpected token '}' at byte 7", 7],
    ['{"a":.5}', "Unexpected token '.' at byte 5", 5],
    ['{"a":+1}', "Unexpected token '+' at byte 5", 5],
    ['{"a":1e}', "Unexpected token '}' at byte 7", 7],
    ['{"a":-}', "Unexpected token '}' at byte 6", 6],
    ['{"a":tru}', "Unexpected token '}' at byte 8", 8],
    ['{"a":nul', 'Unexpected end of JSON input', 8],
    ['{"a":True}', "Unexpected token 'T' at byte 5", 5],
    ['{"a":"\\x"}', 'Bad escaped character at byte 6', 6],
    ['{"a":"\\u12g4"}', 'Bad Unicode escape at byte 6', 6],
    ['{"a":"\\u12"}', 'Bad Unicode escape at byte 6', 6],
    ['{"a":"\t"}', 'Bad control character in string literal at byte 6', 6],
    ['{"a":"x\u0000"}', 'Bad control character in string literal at byte 7', 7],
    ['{"a":1]', "Unexpected token ']' at byte 6", 6],
    ['{"a":[1}', "Unexpected token '}' at byte 7", 7],
    ['{"a":1}}', "Unexpected token '}' at byte 7", 7],
    ['{"a":1} x', "Unexpected token 'x' at byte 8", 8],
    ['{"a":1}\u00a0', 'Unexpected token 0xc2 at byte 7', 7],
    ['\ufeff{}', 'Unexpected token 0xef at byte 0', 0],
    ['{\f}', 'Unexpected token 0x0c at byte 1', 1],
    ['{"a":[,1]}', "Unexpected token ',' at byte 6", 6],
    ['{"a":[,}', "Unexpected token ',' at byte 6", 6],
    ['{"a":[1,,2]}', "Unexpected token ',' at byte 8", 8],
    ['{"a":{,}}', "Unexpected token ',' at byte 6", 6],
    ['{"a":{"b":1,}}', "Unexpected token '}' at byte 12", 12],
    ['{"a":{"b"}}', "Unexpected token '}' at byte 9", 9],
    ['{"a":{"b":}}', "Unexpected token '}' at byte 10", 10],
    ['{"a":{1:2}}', "Unexpected token '1' at byte 6", 6],
    ['{"a":[}', "Unexpected token '}' at byte 6", 6],
    ['{"a":{]}', "Unexpected token ']' at byte 6", 6],
    ['{"a":[1}]}', "Unexpected token '}' at byte 7", 7],
    ['{"a":{"b":1]}', "Unexpected token ']' at byte 11", 11],
    ['{"a":1,"b"}', "Unexpected token '}' at byte 10", 10],
    ['{"a" "b":1}', "Unexpected token '\"' at byte 5", 5],
    ['[1,2]', 'expected a JSON object', 0],
    [' "str"', 'expected a JSON object', 1],
    ['null', 'expected a JSON object', 0],
    ['42', 'expected a JSON object', 0],
  ])('rejects %j', (text, message, offset) => {
    expect(() => JSON.parse(text) as unknown, text).toSatisfy((f: () => unknown) => {
      try {
        const v = f();
        return typeof v !== 'object' || v === null || Array.isArray(v);
      } catch {
        return true;
      }
    });
    const e = scanError(text);
    expect(e.message).toContain(message);
    expect(e.offset).toBe(offset);
  });

  it('enforces the nesting limit, counting the top-level object as 1', () => {
    const nested = (d: number) => '{"a":' + '['.repeat(d - 1) + ']'.repeat(d - 1) + '}';
    expect(() => scanTopLevel(B(nested(512)))).not.toThrow();
    expect(scanError(nested(513)).message).toBe('Maximum nesting depth 512 exceeded at byte 516');
    expect(() => scanTopLevel(B(nested(600)), { maxDepth: 600 })).not.toThrow();
    expect(scanError(nested(3), 2).message).toContain('Maximum nesting depth 2');
    const objects = (d: number) => '{"a":'.repeat(d) + '1' + '}'.repeat(d);
    expect(() => scanTopLevel(B(objects(512)))).not.toThrow();
    expect(scanError(objects(513)).message).toBe(`Maximum nesting depth 512 exceeded at byte ${512 * 5}`);
    expect(scanError('{"a":[{"b":[]}]}', 3).offset).toBe(11);
    expect(scanError('{}', 0).message).toContain('Maximum nesting depth 0');
  });

  it('fails fast and without stack overflow on hostile nesting', () => {
    const hostile = B('{"a":' + '['.repeat(1_000_000));
    const t0 = performance.now();
    expect(scanError(hostile).message).toContain('Maximum nesting depth');
    expect(performance.now() - t0).toBeLessThan(500);
    const deep = B('{"a":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}');
    expect(() => scanTopLevel(deep, { maxDepth: Infinity })).not.toThrow();
  });

  it('skips long strings quickly and still validates their escapes and control characters', () => {
    const long = 'x'.repeat(300_000);
    expect(scanTopLevel(B(`{"a":"${long}"}`)).members[0].valueEnd).toBe(300_007);
    expect(scanError(`{"a":"${long}\\q${long}"}`).offset).toBe(6 + 300_000);
    expect(scanError(`{"a":"${long}\n"}`).offset).toBe(6 + 300_000);
    const escapedQuotes = '{"a":"' + 'ab\\"cd\\\\'.repeat(20_000) + '"}';
    expect(parseValue(B(escapedQuotes), scanTopLevel(B(escapedQuotes)).members[0])).toBe('ab"cd\\'.repeat(20_000));
  });
});

describe('spliceMembers', () => {
  const doc = '{ "a": 1, "b" :[2], "c":"3" }';

  it('replaces values keeping the surrounding bytes', () => {
    expect(splice(doc, (o) => [{ span: o.get('b')!, replaceValue: '"B"' }])).toBe('{ "a": 1, "b" :"B", "c":"3" }');
    expect(splice(doc, (o) => [{ span: o.get('a')!, replaceValue: Buffer.from('{"x":1}') }])).toBe('{ "a": {"x":1}, "b" :[2], "c":"3" }');
  });

  it('removes first, middle, last and all members with exactly one comma', () => {
    expect(splice(doc, (o) => [{ span: o.get('a')!, remove: true }])).toBe('{ "b" :[2], "c":"3" }');
    expect(splice(doc, (o) => [{ span: o.get('b')!, remove: true }])).toBe('{ "a": 1, "c":"3" }');
    expect(splice(doc, (o) => [{ span: o.get('c')!, remove: true }])).toBe('{ "a": 1, "b" :[2]}');
    expect(splice(doc, (o) => [{ span: o.get('a')!, remove: true }, { span: o.get('c')!, remove: true }])).toBe('{ "b" :[2]}');
    expect(splice(doc, (o) => o.members.map((span) => ({ span, remove: true })))).toBe('{}');
  });

  it('appends before the closing brace, adding commas as needed', () => {
    expect(splice(doc, () => [], [['m', '{"k":true}']])).toBe('{ "a": 1, "b" :[2], "c":"3" ,"m":{"k":true}}');
    expect(splice('{ }', () => [], [['m', '1'], ['n"', Buffer.from('[2]')]])).toBe('{ "m":1,"n\\"":[2]}');
    expect(splice('{"a":1}', (o) => [{ span: o.members[0], remove: true }], [['b', '2']])).toBe('{"b":2}');
    expect(splice('\n{"a":1}\n', () => [])).toBe('\n{"a":1}\n');
  });

  it('returns views of the input, not copies', () => {
    const big = Buffer.from(JSON.stringify({ model: 'a', messages: 'x'.repeat(100_000), metadata: { user_id: 'u' }, extra: 1 }));
    const o = scanTopLevel(big);
    const out = spliceMembers(big, o, [{ span: o.get('model')!, replaceValue: '"b"' }, { span: o.get('extra')!, remove: true }], [['z', 'null']]);
    const viewBytes = out.chunks.filter((c) => c.buffer === big.buffer && c.byteOffset >= big.byteOffset && c.byteOffset + c.length <= big.byteOffset + big.length);
    expect(out.length - viewBytes.reduce((n, c) => n + c.length, 0)).toBeLessThan(20);
    expect(JSON.parse(Buffer.concat(out.chunks).toString())).toEqual({ model: 'b', messages: 'x'.repeat(100_000), metadata: { user_id: 'u' }, z: null });
    // The untouched run from after "model" to before "extra" is one chunk.
    expect(out.chunks.some((c) => c.length > 100_000)).toBe(true);
  });

  it('rejects spans from elsewhere and double edits', () => {
    const buf = B(doc);
    const o = scanTopLevel(buf);
    const other = scanTopLevel(B('{"zz":1}')).members[0];
    expect(() => spliceMembers(buf, o, [{ span: other, remove: true }])).toThrow(RangeError);
    expect(() => spliceMembers(buf, o, [{ span: o.members[0], remove: true }, { span: o.members[0], replaceValue: '1' }])).toThrow(/edited twice/);
    // An equal copy of a span is accepted.
    expect(Buffer.concat(spliceMembers(buf, o, [{ span: { ...o.members[1] }, remove: true }]).chunks).toString()).toBe('{ "a": 1, "c":"3" }');
  });
});

describe('isValidUtf8', () => {
  it('checks UTF-8 well-formedness', () => {
    expect(isValidUtf8(B('{"a":"é€😀"}'))).toBe(true);
    expect(isValidUtf8(new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]))).toBe(false);
    expect(isValidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(false); // encoded surrogate
    expect(isValidUtf8(new Uint8Array([0xf0, 0x9f, 0x98]))).toBe(false); // truncated
    expect(isValidUtf8(new Uint8Array(0))).toBe(true);
  });
});

describe('parseValue of scalars (read without JSON.parse)', () => {
  it('reads exactly what JSON.parse reads: literals, numbers, strings with and without escapes (property)', () => {
    const scalar = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('-0', '1E+2', '0.1e-7', '123456789012345678901234567890', '1e400', '-1.5E-3').map((t) => ({ raw: t })),
    );
    fc.assert(
      fc.property(scalar, (v) => {
        const text = typeof v === 'object' && v !== null ? v.raw : JSON.stringify(v);
        const buf = Buffer.from(`{"k": ${text} }`, 'utf8');
        expect(parseValue(buf, scanTopLevel(buf).get('k')!)).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes broken UTF-8 inside a string as JSON.parse of the decoded text does', () => {
    for (const bytes of [[0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xff, 0x41], [0xc3, 0xa9, 0x80]]) {
      const buf = Buffer.concat([Buffer.from('{"k":"a'), Buffer.from(bytes), Buffer.from('"}')]);
      const span = scanTopLevel(buf).get('k')!;
      expect(parseValue(buf, span)).toBe(JSON.parse(buf.toString('utf8', span.valueStart, span.valueEnd)));
    }
  });
});

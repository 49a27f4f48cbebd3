import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { parseInPieces, PIECE_BYTES, stringifyToBuffer } from './pieces.js';

/** The outcome of a parse, comparable with key order: the value's JSON text, or the error's class and message. */
function outcome(parse: () => unknown): string {
  try {
    const v = parse();
    return 'ok ' + JSON.stringify(v) + ' ' + describeShape(v);
  } catch (e) {
    return `throws ${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** Prototypes and own-key lists all the way down (JSON.stringify would not show an object whose prototype was set). */
function describeShape(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(describeShape).join(',')}]`;
  if (v && typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) === Object.prototype ? '' : '!proto';
    return `{${proto}${Reflect.ownKeys(v).map((k) => `${String(k)}:${describeShape((v as Record<string, unknown>)[k as string])}`).join(',')}}`;
  }
  return typeof v;
}

const same = (text: string, pieceBytes: number, encoding: 'latin1' | 'utf8' = 'utf8') => {
  const buf = Buffer.from(text, 'utf8');
  expect(outcome(() => parseInPieces(buf, encoding, undefined, pieceBytes))).toBe(outcome(() => JSON.parse(buf.toString(encoding))));
};

const indent = fc.constantFrom(undefined, 0, 1, 2, '\t', ' \n ');
/** Documents whose top level is an object, with nested objects and arrays, every kind of string and number. */
const objectText = fc
  .tuple(fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 }), indent)
  .map(([v, i]) => JSON.stringify(v, null, i as string | number | undefined));

describe('parseInPieces', () => {
  it('gives exactly what JSON.parse gives for random documents, split at any size', () => {
    fc.assert(
      fc.property(objectText, fc.integer({ min: 1, max: 200 }), fc.constantFrom('utf8' as const, 'latin1' as const), (text, pieceBytes, encoding) => same(text, pieceBytes, encoding)),
      { numRuns: 400 },
    );
  });

  it('fails exactly as JSON.parse does on damaged documents (a byte removed, replaced or added)', () => {
    const damaged = fc
      .tuple(objectText, fc.nat(), fc.constantFrom('drop', 'put', 'add'), fc.constantFrom(',', ':', '"', '{', '}', '[', ']', '\\', '0', ' ', 'x', '\u0001'))
      .map(([t, at, how, ch]) => {
        const i = t.length === 0 ? 0 : at % t.length;
        return how === 'drop' ? t.slice(0, i) + t.slice(i + 1) : how === 'put' ? t.slice(0, i) + ch + t.slice(i + 1) : t.slice(0, i) + ch + t.slice(i);
      });
    fc.assert(
      fc.property(damaged, fc.integer({ min: 1, max: 64 }), (text, pieceBytes) => same(text, pieceBytes)),
      { numRuns: 600 },
    );
  });

  it('keeps JSON.parse semantics for __proto__, repeated keys, escaped and non-ASCII keys, and non-object texts', () => {
    const cases = [
      '{"__proto__": {"polluted": true}, "a": [1, {"__proto__": [2]}]}',
      '{"a": 1, "b": [1, 2, 3], "a": {"x": "y"}}',
      '{"\\u0061": [1, 2], "a": [3, 4], "\\"q": {"k": "v"}}',
      '{"é": {"x": "é"}, "ø": [1, 2, "øø"]}',
      '{"text": "\\u00e9\\ud83d\\ude00 and a lone \\ud800"}',
      '[{"a": 1}, {"b": [2, 3]}]',
      '"just a string with enough bytes to split"',
      '{"a": [1, 2,], "b": 2}',
      '{"a": 01}',
      '{"a": [1, 2] "b": 3}',
      ' \n {"nested": {"deeper": {"deepest": [[[["x"]]]]}}} \n ',
    ];
    for (const text of cases) for (const pieceBytes of [1, 4, 16]) for (const enc of ['utf8', 'latin1'] as const) same(text, pieceBytes, enc);
    const proto = parseInPieces(Buffer.from(cases[0]), 'utf8', undefined, 1) as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__', 'a']);
  });

  it('a Claude Code-sized body never becomes one string over the piece size', () => {
    const body = { model: 'm', system: [{ type: 'text', text: 's'.repeat(20_000) }], messages: Array.from({ length: 60 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `turn ${i} ` + 'w'.repeat(3_000) }] })) };
    const buf = Buffer.from(JSON.stringify(body));
    expect(buf.length).toBeGreaterThan(2 * PIECE_BYTES);
    const decoded: number[] = [];
    const toString = buf.toString.bind(buf);
    buf.toString = ((enc: BufferEncoding, start?: number, end?: number) => {
      decoded.push((end ?? buf.length) - (start ?? 0));
      return toString(enc, start, end);
    }) as typeof buf.toString;
    expect(parseInPieces(buf, 'latin1')).toEqual(body);
    expect(Math.max(...decoded)).toBeLessThanOrEqual(PIECE_BYTES);
  });
});

describe('stringifyToBuffer', () => {
  /** JSON values plus what JSON.stringify treats specially: undefined, functions, symbols, toJSON, -0, sparse arrays. */
  const special = fc.constantFrom<unknown>(undefined, () => 1, Symbol('s'), new Date(0), { toJSON: () => ['t'] }, -0, NaN, Infinity, Array.from({ length: 2 }).fill(1, 1), '\ud800 lone', 'é😀');
  const value = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), special, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'binary', maxLength: 5 }), tie('v'), { maxKeys: 4 })),
  })).v;

  it('writes exactly the bytes of Buffer.from(JSON.stringify(value)), at every split depth', () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 5 }), (v, depth) => {
        const text = JSON.stringify(v) as string | undefined;
        if (text === undefined || typeof v !== 'object' || v === null) return;
        expect(stringifyToBuffer(v, 'utf8', { depth }).equals(Buffer.from(text, 'utf8'))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('with latin1, writes one byte per char of byte strings, as Buffer.from(text, "latin1") does', () => {
    const byteString = fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 20 });
    const doc = fc.dictionary(byteString, fc.oneof(byteString, fc.array(fc.dictionary(byteString, byteString, { maxKeys: 3 }), { maxLength: 3 })), { maxKeys: 5 });
    fc.assert(
      fc.property(doc, fc.integer({ min: 0, max: 4 }), (v, depth) => {
        expect(stringifyToBuffer(v, 'latin1', { depth }).equals(Buffer.from(JSON.stringify(v), 'latin1'))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('with a small size hint, writes the same bytes in one JSON.stringify; a wrong hint changes only the cost', () => {
    const spy = vi.spyOn(JSON, 'stringify');
    try {
      const v = { model: 'm', messages: [{ role: 'user', content: 'caf\u00e9 \u{1f600}' }], n: 1 };
      expect(stringifyToBuffer(v, 'utf8', { sizeHint: 100 }).equals(Buffer.from(JSON.stringify(v), 'utf8'))).toBe(true);
      spy.mockClear();
      stringifyToBuffer(v, 'utf8', { sizeHint: 100 });
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockClear();
      stringifyToBuffer(v, 'utf8');
      expect(spy.mock.calls.length).toBeGreaterThan(1);
      const big = { text: 'x'.repeat(100_000) };
      expect(stringifyToBuffer(big, 'latin1', { sizeHint: 10 }).equals(Buffer.from(JSON.stringify(big), 'latin1'))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});

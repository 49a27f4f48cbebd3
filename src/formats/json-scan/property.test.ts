import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseValue, scanTopLevel, spliceMembers, type Edit, type ScannedObject } from './index.js';

// ---------------------------------------------------------------------------------------------------------------
// A generator of JSON *text* (not values), so every formatting choice the scanner must handle is exercised and the
// exact bytes of every value are known: all escape forms (incl. \/, upper-case hex, lone surrogates), every number
// shape, arbitrary whitespace between tokens, and duplicate keys.
// ---------------------------------------------------------------------------------------------------------------

const ws = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n', '  ', ' \n    ');

const hex4 = fc.integer({ min: 0, max: 0xffff }).chain((n) =>
  fc.boolean().map((upper) => {
    const h = n.toString(16).padStart(4, '0');
    return '\\u' + (upper ? h.toUpperCase() : h);
  }),
);
const surrogateEscape = fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => '\\u' + n.toString(16));
/** Characters that may appear unescaped in a JSON string. */
const plainText = fc
  .string({ unit: 'binary', maxLength: 12 })
  .map((s) => Array.from(s).filter((ch) => ch !== '"' && ch !== '\\' && ch.charCodeAt(0) >= 0x20).join(''));
const stringPiece = fc.oneof(
  { weight: 5, arbitrary: plainText },
  { weight: 2, arbitrary: fc.constantFrom('\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t') },
  { weight: 1, arbitrary: hex4 },
  { weight: 1, arbitrary: surrogateEscape },
  { weight: 1, arbitrary: fc.constantFrom('\u2028', '\u007f', 'é', '😀', '{', '}', '[', ']', ',', ':') },
);
const stringText = fc.array(stringPiece, { maxLength: 6 }).map((p) => '"' + p.join('') + '"');
const longStringText = fc
  .tuple(fc.integer({ min: 20, max: 400 }), fc.array(fc.constantFrom('\\n', '\\"', '\\\\', 'é'), { maxLength: 4 }))
  .map(([n, esc]) => '"' + 'abcdefghij'.repeat(n / 10).slice(0, n) + esc.join('') + 'xyz' + '"');

const digits = (min: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},4}$`));
const numberText = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.constant('0'), fc.tuple(fc.integer({ min: 1, max: 9 }), digits(0)).map(([a, b]) => `${a}${b}`)),
    fc.option(digits(1), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1)), { nil: undefined }),
  )
  .map(([neg, int, frac, exp]) => (neg ? '-' : '') + int + (frac !== undefined ? '.' + frac : '') + (exp ? exp.join('') : ''));

const { value: valueText } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    stringText,
    numberText,
    fc.constantFrom('true', 'false', 'null'),
    longStringText,
    tie('array'),
    tie('object'),
  ),
  array: fc
    .tuple(ws, fc.array(fc.tuple(ws, tie('value'), ws), { maxLength: 4 }))
    .map(([w, items]) => (items.length === 0 ? `[${w}]` : '[' + items.map(([a, v, b]) => a + v + b).join(',') + ']')),
  object: fc
    .tuple(ws, fc.array(fc.tuple(ws, stringText, ws, ws, tie('value'), ws), { maxLength: 4 }))
    .map(([w, ms]) => (ms.length === 0 ? `{${w}}` : '{' + ms.map(([a, k, b, c, v, d]) => a + k + b + ':' + c + v + d).join(',') + '}')),
}));

/** A key: sometimes from a tiny pool so duplicates happen. */
const keyText = fc.oneof(stringText, fc.constantFrom('"model"', '"a"', '"\\u0061"', '"stream"'));

interface Pair {
  key: string; // JSON text of the key
  value: string; // JSON text of the value
  pre: string;
  mid1: string;
  mid2: string;
  post: string;
}
const pair: fc.Arbitrary<Pair> = fc
  .tuple(keyText, valueText, ws, ws, ws, ws)
  .map(([key, value, pre, mid1, mid2, post]) => ({ key, value, pre, mid1, mid2, post }));

interface Doc {
  text: string;
  pairs: Pair[];
}
const doc: fc.Arbitrary<Doc> = fc.tuple(ws, ws, ws, fc.array(pair, { maxLength: 6 })).map(([lead, inner, trail, pairs]) => ({
  pairs,
  text: lead + buildObject(pairs, inner) + trail,
}));

function memberText(p: Pair): string {
  return p.pre + p.key + p.mid1 + ':' + p.mid2 + p.value + p.post;
}
function buildObject(pairs: Pair[], emptyWs = ''): string {
  return pairs.length === 0 ? `{${emptyWs}}` : '{' + pairs.map(memberText).join(',') + '}';
}

/** Places text at a random byte offset of a larger backing store, so word alignment varies. */
function placed(text: string, offset: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const backing = Buffer.alloc(offset + bytes.length + 7, 0x22);
  bytes.copy(backing, offset);
  return backing.subarray(offset, offset + bytes.length);
}

function jsonParseObject(buf: Buffer): { ok: true; value: Record<string, unknown> } | { ok: false } {
  try {
    const v: unknown = JSON.parse(buf.toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false };
    return { ok: true, value: v as Record<string, unknown> };
  } catch {
    return { ok: false };
  }
}

function tryScan(buf: Buffer): ScannedObject | null {
  try {
    return scanTopLevel(buf);
  } catch {
    return null;
  }
}

/** The scan agrees with JSON.parse of the whole document on keys and values. */
function expectAgreesWithJsonParse(buf: Buffer, scanned: ScannedObject, parsed: Record<string, unknown>): void {
  const keys = new Set(scanned.members.map((m) => m.key));
  expect(keys).toEqual(new Set(Object.keys(parsed)));
  for (const key of keys) expect(parseValue(buf, scanned.get(key)!)).toStrictEqual(parsed[key]);
}

describe('json-scan properties', () => {
  it('agrees with JSON.parse on generated JSON text, with exact spans', () => {
    fc.assert(
      fc.property(doc, fc.integer({ min: 0, max: 7 }), ({ text, pairs }, offset) => {
        const buf = placed(text, offset);
        const parsed = jsonParseObject(buf);
        expect(parsed.ok).toBe(true);
        const scanned = scanTopLevel(buf);
        expect(scanned.members).toHaveLength(pairs.length);
        const str = (a: number, b: number) => buf.toString('utf8', a, b);
        scanned.members.forEach((m, i) => {
          expect(m.key).toBe(JSON.parse(pairs[i].key));
          expect(str(m.valueStart, m.valueEnd)).toBe(pairs[i].value);
          expect(str(m.memberStart, m.memberEnd)).toBe(memberText(pairs[i]));
          expect(str(m.keyStart, m.keyStart + Buffer.byteLength(pairs[i].key))).toBe(pairs[i].key);
          expect(parseValue(buf, m)).toStrictEqual(JSON.parse(pairs[i].value));
        });
        if (parsed.ok) expectAgreesWithJsonParse(buf, scanned, parsed.value);
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with JSON.parse on JSON.stringify output of random objects, indented or not', () => {
    const stringy = fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.integer({ min: 0, max: 0xdfff }).map((n) => String.fromCharCode(n))), maxLength: 8 });
    const obj = fc.dictionary(stringy, fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }), { maxKeys: 8 });
    fc.assert(
      fc.property(obj, fc.constantFrom<string | number | undefined>(undefined, 0, 1, 2, '\t', ' \n'), fc.integer({ min: 0, max: 7 }), (o, indent, offset) => {
        const text = JSON.stringify(o, null, indent);
        const buf = placed(text, offset);
        const scanned = scanTopLevel(buf);
        expect(scanned.members.map((m) => m.key)).toEqual(Object.keys(o));
        expectAgreesWithJsonParse(buf, scanned, JSON.parse(text) as Record<string, unknown>);
      }),
      { numRuns: 3000 },
    );
  });

  it('splices to exactly the expected object, sharing the input bytes', () => {
    const plan = fc.array(fc.oneof(fc.constant<'keep'>('keep'), fc.constant<'remove'>('remove'), valueText), { minLength: 6, maxLength: 6 });
    const appends = fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('model', 'a')), valueText, fc.boolean()), { maxLength: 3 });
    fc.assert(
      fc.property(doc, plan, appends, fc.integer({ min: 0, max: 7 }), ({ text, pairs }, actions, adds, offset) => {
        const buf = placed(text, offset);
        const scanned = scanTopLevel(buf);
        const edits: Edit[] = [];
        const expected: Pair[] = [];
        let newBytes = 0;
        scanned.members.forEach((span, i) => {
          const a = actions[i];
          if (a === 'remove') edits.push({ span, remove: true });
          else if (a === 'keep') expected.push(pairs[i]);
          else {
            edits.push({ span, replaceValue: i % 2 ? a : Buffer.from(a) });
            newBytes += Buffer.byteLength(a);
            expected.push({ ...pairs[i], value: a });
          }
        });
        for (const [k, v] of adds) {
          expected.push({ key: JSON.stringify(k), value: v, pre: '', mid1: '', mid2: '', post: '' });
          newBytes += Buffer.byteLength(JSON.stringify(k)) + Buffer.byteLength(v) + 2;
        }
        const out = spliceMembers(buf, scanned, edits, adds.map(([k, v, asBuf]) => [k, asBuf ? Buffer.from(v) : v]));
        const joined = Buffer.concat(out.chunks);
        expect(joined.length).toBe(out.length);
        const expectedText = buildObject(expected);
        expect(JSON.parse(joined.toString())).toStrictEqual(JSON.parse(expectedText));
        // The result is itself scannable, member for member.
        const again = scanTopLevel(joined);
        expect(again.members.map((m) => joined.toString('utf8', m.valueStart, m.valueEnd))).toEqual(expected.map((p) => p.value));
        // Only replaced/appended bytes are new memory; everything else is a view of buf.
        const copied = out.chunks
          .filter((c) => !(c.buffer === buf.buffer && c.byteOffset >= buf.byteOffset && c.byteOffset + c.length <= buf.byteOffset + buf.length))
          .reduce((n, c) => n + c.length, 0);
        expect(copied).toBeLessThanOrEqual(newBytes);
      }),
      { numRuns: 4000 },
    );
  });

  it('throws exactly when JSON.parse does, for random byte mutations of valid documents', () => {
    const interesting = fc.constantFrom(...'{}[]",:\\ \t\n\r0123456789-+.eEtrufalsn/bu'.split('').map((c) => c.charCodeAt(0)), 0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xff);
    const byte = fc.oneof(interesting, fc.integer({ min: 0, max: 255 }));
    // Half of the mutations hit a structural-looking byte: uniform positions mostly land inside long strings.
    const mutation = fc.tuple(fc.constantFrom('delete', 'insert', 'replace'), fc.nat(), byte, fc.boolean());
    const structural = new Set(Buffer.from('{}[],:"\\0123456789.eE-+tfn'));
    fc.assert(
      fc.property(doc, fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 7 }), ({ text }, muts, offset) => {
        let bytes = Buffer.from(text, 'utf8');
        for (const [kind, at, b, onStructure] of muts) {
          const candidates: number[] = [];
          if (onStructure) bytes.forEach((c, k) => void (structural.has(c) && candidates.push(k)));
          const i = candidates.length > 0 ? candidates[at % candidates.length] : at % (bytes.length + (kind === 'insert' ? 1 : 0) || 1);
          if (kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
          else if (kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([b]), bytes.subarray(i)]);
          else if (bytes.length > 0) bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([b]), bytes.subarray(i + 1)]);
        }
        const buf = relocate(bytes, offset);
        const parsed = jsonParseObject(buf);
        const scanned = tryScan(buf);
        expect(scanned !== null, `scan ${scanned ? 'accepted' : 'rejected'} ${JSON.stringify(buf.toString('latin1'))}`).toBe(parsed.ok);
        if (scanned && parsed.ok) expectAgreesWithJsonParse(buf, scanned, parsed.value);
      }),
      { numRuns: 10000 },
    );
  });
});

function relocate(bytes: Buffer, offset: number): Buffer {
  const backing = Buffer.alloc(offset + bytes.length + 7, 0x22);
  bytes.copy(backing, offset);
  return backing.subarray(offset, offset + bytes.length);
}

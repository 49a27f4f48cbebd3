import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findStringValuesInValid, scanTopLevel } from './scan.js';
import { stringifyWithRawStrings } from './pieces.js';
import { extractRawStrings, RAW_STRING_FINDERS, RAW_STRING_PATHS } from './raw-strings.js';

const anyString = () => true;
const buf = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');
const long = (s: string, n = 600) => s.repeat(Math.ceil(n / s.length));

/** Text with every kind of char a JSON string can hold: escapes, control chars, non-ASCII, astral. */
const text = fc.string({ unit: 'binary', maxLength: 30 });

describe('findStringValuesInValid', () => {
  it('finds every string value (not the keys) of any valid document, each span exactly one JSON string', () => {
    const valuesOf = (v: unknown, out: string[] = []): string[] => {
      if (typeof v === 'string') out.push(v);
      else if (Array.isArray(v)) for (const x of v) valuesOf(x, out);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) valuesOf(x, out);
      return out;
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, indent) => {
        const b = Buffer.from(JSON.stringify(value, null, indent ? 1 : undefined), 'utf8');
        const spans = findStringValuesInValid(b, 0, anyString);
        const found = [];
        for (let i = 0; i < spans.length; i += 2) found.push(JSON.parse(b.toString('utf8', spans[i], spans[i + 1])) as string);
        // JSON.parse orders integer-like keys first, so compare as sorted lists.
        expect(found.sort()).toEqual(valuesOf(value).sort());
      }),
      { numRuns: 300 },
    );
  });

  it('tells keys from values and reports the path of each value', () => {
    const b = buf({ a: 'xy', list: [{ k: 'value "quoted" \\', '{k}': ',:[' }], n: [1, 'z'] });
    const seen: string[] = [];
    findStringValuesInValid(b, 0, (bb, keys, depth) => {
      seen.push(keys.slice(0, depth).map((k) => (k === -1 ? '[]' : bb.toString('utf8', k + 1, bb.indexOf(0x22, k + 1)))).join('/'));
      return false;
    });
    expect(seen).toEqual(['a', 'list/[]/k', 'list/[]/{k}', 'n/[]']);
  });
});

describe("the validating scan's long strings", () => {
  const pathOf = (bb: Buffer, keys: readonly number[], depth: number) =>
    keys
      .slice(0, depth)
      .map((k) => (k === -1 ? '[]' : bb.toString('utf8', k + 1, bb.indexOf(0x22, k + 1))))
      .join('/');

  it('are the spans findStringValuesInValid finds, paths included (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 4 })), fc.boolean(), fc.integer({ min: 0, max: 6 }), (value, indent, minBytes) => {
        const b = Buffer.from(JSON.stringify(value, null, indent ? 1 : undefined), 'utf8');
        const seenScan: string[] = [];
        const seenFind: string[] = [];
        const scan = scanTopLevel(b, { longStrings: { minBytes, wanted: (bb, keys, depth) => (seenScan.push(pathOf(bb, keys, depth)), seenScan.length % 3 !== 0) } });
        const found = findStringValuesInValid(b, minBytes, (bb, keys, depth) => (seenFind.push(pathOf(bb, keys, depth)), seenFind.length % 3 !== 0));
        expect(seenScan).toEqual(seenFind);
        expect(scan.longStrings).toEqual(found);
      }),
      { numRuns: 400 },
    );
  });

  it('are what extractRawStrings would search for, on a Claude Code-shaped body', () => {
    const src = buf({
      model: 'm',
      system: [{ type: 'text', text: long('System. ') }],
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: long('Result. ') }] }] }],
      tools: [{ name: 'x', description: long('Does x. '), input_schema: { type: 'object', description: long('not on a path ') } }],
    });
    const scan = scanTopLevel(src, { longStrings: RAW_STRING_FINDERS.anthropic });
    expect(scan.longStrings).toHaveLength(6);
    const viaScan = extractRawStrings(src, RAW_STRING_PATHS.anthropic, undefined, undefined, scan.longStrings)!;
    const searched = extractRawStrings(src, RAW_STRING_PATHS.anthropic)!;
    expect(viaScan.skeleton.equals(searched.skeleton)).toBe(true);
    expect(viaScan.raw.count).toBe(3);
  });
});

describe('extractRawStrings', () => {
  const body = {
    model: 'm',
    system: [{ type: 'text', text: long('You are helpful. "Quoted" \\ back\nslash → 日本 🎉 ') }],
    messages: [
      { role: 'user', content: long('Read the file.\t') },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Write', input: { content: long('not on a path: stays decoded ') } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: long('written ') }] },
    ],
    tools: [{ name: 'Write', description: long('Writes a file. '), input_schema: { type: 'object' } }],
  };

  it('keeps only long strings on the paths raw, and the skeleton parses to the body with stand-ins', () => {
    const src = buf(body);
    const { skeleton, raw } = extractRawStrings(src, RAW_STRING_PATHS.anthropic)!;
    expect(raw.count).toBe(4);
    const parsed = JSON.parse(skeleton.toString('latin1')) as typeof body;
    expect(parsed.model).toBe('m');
    expect((parsed.messages[1].content as Array<{ input: { content: string } }>)[0].input.content).toBe(long('not on a path: stays decoded '));
    // Expanding every stand-in gives back the body (as byte strings: each char one UTF-8 byte).
    expect(Buffer.from(JSON.stringify(raw.expand(parsed)), 'latin1').equals(src)).toBe(true);
  });

  it('cuts a value out of the skeleton, with no raw string taken from inside it', () => {
    const src = buf(body);
    const tools = src.indexOf('"tools":') + '"tools":'.length;
    const cut = { start: tools, end: src.length - 1, text: '[]' };
    const { skeleton, raw } = extractRawStrings(src, RAW_STRING_PATHS.anthropic, undefined, cut)!;
    expect(raw.count).toBe(3);
    const parsed = JSON.parse(skeleton.toString('latin1')) as Record<string, unknown>;
    expect(parsed.tools).toEqual([]);
    expect(Object.keys(parsed)).toEqual(Object.keys(body));
    parsed.tools = JSON.parse(src.toString('latin1', cut.start, cut.end));
    expect(Buffer.from(JSON.stringify(raw.expand(parsed)), 'latin1').equals(src)).toBe(true);
    // A cut alone, with no raw string anywhere, still gives a skeleton.
    const small = buf({ model: 'm', tools: [{ name: 'x' }], messages: [] });
    const only = extractRawStrings(small, RAW_STRING_PATHS.anthropic, undefined, { start: small.indexOf('[{'), end: small.indexOf('}]') + 2, text: '[]' })!;
    expect(JSON.parse(only.skeleton.toString('latin1'))).toEqual({ model: 'm', tools: [], messages: [] });
    expect(only.raw.count).toBe(0);
  });

  it('serialises back to the exact bytes, the raw strings copied from the client', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 4 }), (texts) => {
        const value = { messages: texts.map((t) => ({ role: 'user', content: `Q${t}${long('·', 520)}` })), tools: [{ description: `D${texts[0]}` }] };
        const src = buf(value);
        const { skeleton, raw } = extractRawStrings(src, RAW_STRING_PATHS.anthropic, 1)!;
        const out = stringifyWithRawStrings(JSON.parse(skeleton.toString('latin1')), raw)!;
        expect(out.toString('hex')).toBe(src.toString('hex'));
      }),
      { numRuns: 200 },
    );
  });

  it('splices a raw string into a longer text (a prefix the encoder added)', () => {
    const src = buf({ messages: [{ role: 'user', content: long('a"b\\c ') }] });
    const { skeleton, raw } = extractRawStrings(src, RAW_STRING_PATHS.anthropic)!;
    const parsed = JSON.parse(skeleton.toString('latin1')) as { messages: Array<{ content: string }> };
    const encoded = { text: `Error: ${parsed.messages[0].content}!` };
    expect(stringifyWithRawStrings(encoded, raw)!.toString('utf8')).toBe(JSON.stringify({ text: `Error: ${long('a"b\\c ')}!` }));
  });

  it('refuses a raw string that was serialised into another string; expanding first serialises it right', () => {
    const src = buf({ messages: [{ role: 'user', content: long('say "hi"\n') }] });
    const { skeleton, raw } = extractRawStrings(src, RAW_STRING_PATHS.anthropic)!;
    const parsed = JSON.parse(skeleton.toString('latin1')) as { messages: Array<{ content: string }> };
    const encode = (m: { messages: Array<{ content: string }> }) => ({ arguments: JSON.stringify({ text: m.messages[0].content }) });
    expect(stringifyWithRawStrings(encode(parsed), raw)).toBeNull();
    const out = JSON.stringify(encode(raw.expand(parsed)));
    expect(JSON.parse((JSON.parse(out) as { arguments: string }).arguments)).toEqual({ text: long('say "hi"\n') });
  });

  it('leaves whitespace-only texts and the billing line decoded: encoders look at those', () => {
    const billing = `x-anthropic-billing-header: cc_version=2.1; ${long('x', 600)}`;
    // Whitespace as JS regexps see it (\v, \f, NBSP, U+3000), and what may start the billing line.
    const decoded = [long(' \n\t'), long('\u000b\f '), `\u00a0${long('y')}`, `\u3000${long('y')}`, `  ${billing}`, `x${long('y')}`];
    const src = buf({ system: decoded.map((text) => ({ type: 'text', text })), messages: [] });
    expect(extractRawStrings(src, RAW_STRING_PATHS.anthropic)).toBeNull();
    const moved = [`\n "quoted" ${long('y')}`, `\b${long('y')}`, `/${long('y')}`];
    expect(extractRawStrings(buf({ system: moved.map((text) => ({ type: 'text', text })) }), RAW_STRING_PATHS.anthropic)!.raw.count).toBe(3);
  });

  it('takes a client text that imitates a stand-in for plain text', () => {
    const fake = `\u0000sy000000000000:0\u0000`;
    const src = buf({ messages: [{ role: 'user', content: `A${fake}${long('z')}` }, { role: 'user', content: fake }] });
    const { skeleton, raw } = extractRawStrings(src, RAW_STRING_PATHS.anthropic)!;
    expect(raw.count).toBe(1);
    const out = stringifyWithRawStrings(JSON.parse(skeleton.toString('latin1')), raw)!;
    expect(out.equals(src)).toBe(true);
  });

  it('expands remembered texts again, and never mistakes a text for one that samples the same', () => {
    const first = `Start ${long('a')}`;
    // Same length, same start, middle and end: only a byte in between differs.
    const twin = first.slice(0, 100) + 'b' + first.slice(101);
    const expanded = (content: string) => {
      const { skeleton, raw } = extractRawStrings(buf({ messages: [{ role: 'user', content }] }), RAW_STRING_PATHS.anthropic)!;
      return raw.expand(JSON.parse(skeleton.toString('latin1')) as { messages: Array<{ content: string }> }).messages[0].content;
    };
    const a = expanded(first);
    expect(a).toBe(first);
    expect(expanded(first)).toBe(a);
    expect(expanded(twin)).toBe(twin);
    expect(expanded(first)).toBe(first);
  });

  it('is left out of a JSON dump of the request', () => {
    const { raw } = extractRawStrings(buf({ messages: [{ role: 'user', content: long('q') }] }), RAW_STRING_PATHS.anthropic)!;
    expect(JSON.stringify({ a: 1, rawStrings: raw })).toBe('{"a":1}');
  });
});

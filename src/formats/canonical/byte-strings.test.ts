import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { codecFor } from '../index.js';
import { extractRawStrings, isDeeplyFrozen, MemberTexts, RAW_STRING_FINDERS, RAW_STRING_PATHS, scanTopLevel, stringifyWithRawStrings } from '../json-scan/index.js';
import { estimateInputTokens } from '../tokens/index.js';
import { byteStringOf, decodableAsBytes, isAscii, markByteStrings, parseBodyToTranslate, textOf } from './byte-strings.js';
import type { Request, WireFormat } from './types.js';

const body = (json: string) => Buffer.from(json, 'utf8');

/** JSON of `value` with the letters and non-ASCII chars of its strings escaped as \\uXXXX where `pick` says so (UTF-16 units). */
function escapedJson(value: unknown, pick: (code: number) => boolean): string {
  const escape = (c: string) => (pick(c.charCodeAt(0)) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c);
  // Inside string tokens only (keys and values); an existing escape is left as it is.
  return JSON.stringify(value).replace(/"(?:[^"\\]|\\.)*"/g, (str) => str.replace(/\\.|[\u0080-\uffff]|[a-z]/g, (c) => (c.length === 1 ? escape(c) : c)));
}

describe('decodableAsBytes', () => {
  it("gives the same answer from the body's scan as from reading the body (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.integer({ min: 0, max: 3 }), (v, key, mode) => {
        const text = escapedJson({ [key]: v, k: key }, (code) => (mode === 0 ? false : mode === 1 ? true : mode === 2 ? code < 0x80 : code % 2 === 0));
        const buf = body(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify({ [key]: v, k: key })));
        expect(decodableAsBytes(buf, scanTopLevel(buf))).toBe(decodableAsBytes(buf));
      }),
      { numRuns: 500 },
    );
    for (const json of ['{"a":"\\u0041\\u007f\\u007F"}', '{"a":"\\u0080"}', '{"\\u00e9":1}', '{"a":[{"b":{"\\u00FF":"\\uFFFF"}}]}', '{"p":"C:\\\\u00e9"}', '{"a":"\\u0100"}', '{"a":"\\u1000"}']) {
      expect(decodableAsBytes(body(json), scanTopLevel(body(json))), json).toBe(decodableAsBytes(body(json)));
    }
  });

  it('accepts raw UTF-8 text and escapes of ASCII chars', () => {
    expect(decodableAsBytes(body(JSON.stringify({ text: 'naïve → 日本語 🎉', ansi: '\u001b[0m', nl: 'a\nb' })))).toBe(true);
    expect(decodableAsBytes(body('{"a":"\\u0041\\u007f"}'))).toBe(true);
  });

  it('refuses an escape of a char from U+0080 up', () => {
    expect(decodableAsBytes(body('{"a":"caf\\u00e9"}'))).toBe(false);
    expect(decodableAsBytes(body('{"a":"\\u2192"}'))).toBe(false);
    expect(decodableAsBytes(body('{"a":"\\ud83c\\udf89"}'))).toBe(false);
    expect(decodableAsBytes(body('{"a":"x\\u0080"}'))).toBe(false);
  });

  it('tells an escaped backslash followed by u from an escape', () => {
    // `\\u00e9` is a backslash, then the letters u00e9.
    expect(decodableAsBytes(body('{"path":"C:\\\\u00e9"}'))).toBe(true);
    // `\\\u00e9`: a backslash, then an escape of é.
    expect(decodableAsBytes(body('{"path":"C:\\\\\\u00e9"}'))).toBe(false);
  });

  it('refuses a truncated escape rather than guess', () => {
    expect(decodableAsBytes(body('{"a":"\\u12'))).toBe(false);
  });
});

describe('byte strings and text', () => {
  it('convert both ways', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const bytes = byteStringOf(s);
        expect(textOf(bytes)).toBe(s);
        expect(Buffer.from(bytes, 'latin1').equals(Buffer.from(s, 'utf8'))).toBe(true);
        expect(isAscii(s)).toBe(bytes === s);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The property that makes byte strings safe: a request translated from byte strings reaches every upstream format as
// exactly the bytes the same request translated from text does.
// ---------------------------------------------------------------------------------------------------------------

/** Any text, astral chars and the chars JSON escapes included. */
const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 24 });
const asciiName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,20}$/);
const args = fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean(), fc.array(text, { maxLength: 2 })), { maxKeys: 3 });
const schema = fc.dictionary(text, text.map((d) => ({ type: 'string', description: d })), { maxKeys: 3 }).map((properties) => ({ type: 'object', properties }));
const tools = fc.uniqueArray(fc.record({ name: asciiName, description: text, schema }), { selector: (t) => t.name, minLength: 1, maxLength: 3 });

const anthropicBody = fc.record({ system: text, user: text, answer: text, args, result: text, stop: text, tools, userId: text }).map((r) =>
  JSON.stringify({
    model: 'm',
    max_tokens: 100,
    system: [{ type: 'text', text: r.system }],
    messages: [
      { role: 'user', content: r.user },
      { role: 'assistant', content: [{ type: 'text', text: r.answer }, { type: 'tool_use', id: 'toolu_01', name: r.tools[0].name, input: r.args }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: r.result }] }] },
    ],
    tools: r.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.schema })),
    stop_sequences: [r.stop],
  }),
);

const openaiBody = fc.record({ system: text, user: text, answer: text, args, result: text, stop: text, tools, user2: text }).map((r) =>
  JSON.stringify({
    model: 'm',
    messages: [
      { role: 'developer', content: r.system },
      { role: 'user', content: [{ type: 'text', text: r.user }] },
      { role: 'assistant', content: r.answer, tool_calls: [{ id: 'call_1', type: 'function', function: { name: r.tools[0].name, arguments: JSON.stringify(r.args) } }] },
      { role: 'tool', tool_call_id: 'call_1', content: r.result },
    ],
    tools: r.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.schema } })),
    stop: [r.stop],
    user: r.user2,
  }),
);

function upstreamBytes(client: WireFormat, upstream: WireFormat, buf: Buffer, bytes: boolean): Buffer {
  const req: Request = codecFor(client).decodeRequest(JSON.parse(buf.toString(bytes ? 'latin1' : 'utf8')));
  if (bytes) expect(markByteStrings(req)).toBe(true);
  const wire = codecFor(upstream).encodeRequest(req, { provider: upstream, model: 'target-model', quirks: {} });
  return Buffer.from(JSON.stringify(wire), bytes ? 'latin1' : 'utf8');
}

/** As `upstreamBytes` from byte strings, with every string on the raw-string paths kept raw (however short). */
function upstreamBytesRaw(client: WireFormat, upstream: WireFormat, buf: Buffer): Buffer {
  const extracted = extractRawStrings(buf, RAW_STRING_PATHS[client as 'anthropic' | 'openai'], 1);
  // No text qualified (all whitespace, or led by what may be): the request is translated from byte strings alone.
  if (!extracted) return upstreamBytes(client, upstream, buf, true);
  const req: Request = codecFor(client).decodeRequest(JSON.parse(extracted.skeleton.toString('latin1')));
  expect(markByteStrings(req, extracted.raw)).toBe(true);
  const spliced = stringifyWithRawStrings(codecFor(upstream).encodeRequest(req, { provider: upstream, model: 'target-model', quirks: {} }), extracted.raw);
  expect(spliced).not.toBeNull();
  return spliced!;
}

const toolTexts = new MemberTexts();

/**
 * As `upstreamBytesRaw`, with the tools shared (parsed once per distinct bytes, frozen) and their upstream text reused
 * from the last request with the same tools, as the translating executor does.
 */
function upstreamBytesShared(client: 'anthropic' | 'openai', upstream: WireFormat, buf: Buffer): Buffer {
  const { body: parsed, raw } = parseBodyToTranslate(buf, client, true, scanTopLevel(buf), 0);
  expect(raw).toBeDefined();
  const req: Request = codecFor(client).decodeRequest(parsed);
  expect(markByteStrings(req, raw)).toBe(true);
  expect(req.tools?.every((t) => isDeeplyFrozen(t.inputSchema))).toBe(true);
  const spliced = stringifyWithRawStrings(codecFor(upstream).encodeRequest(req, { provider: upstream, model: 'target-model', quirks: {} }), raw!, undefined, {
    texts: toolTexts,
    key: upstream,
    member: 'tools',
  });
  expect(spliced).not.toBeNull();
  // The text is kept: the same tools encoded again find it.
  expect(toolTexts.take(upstream, (codecFor(upstream).encodeRequest(req, { provider: upstream, model: 'target-model', quirks: {} }) as { tools?: unknown }).tools)).toBeDefined();
  return spliced!;
}

describe('a request translated with raw strings', () => {
  for (const [client, bodies] of [['anthropic', anthropicBody], ['openai', openaiBody]] as const) {
    it(`is estimated as the same request of byte strings (${client} client)`, () => {
      fc.assert(
        fc.property(bodies, (json) => {
          const buf = body(json);
          const extracted = extractRawStrings(buf, RAW_STRING_PATHS[client], 1);
          if (!extracted) return;
          const rawReq = codecFor(client).decodeRequest(JSON.parse(extracted.skeleton.toString('latin1')));
          rawReq.rawStrings = extracted.raw;
          const byteReq = codecFor(client).decodeRequest(JSON.parse(buf.toString('latin1')));
          for (const family of ['anthropic', 'openai-o200k', 'gemini'] as const) expect(estimateInputTokens(rawReq, family)).toBe(estimateInputTokens(byteReq, family));
        }),
        { numRuns: 50 },
      );
    });
  }
});

/** Anthropic requests with every kind of block an estimator reads text from, each text of them raw when long enough. */
const anthropicBlocksBody = fc
  .record({ system: text, user: text, answer: text, thinking: text, args, result: text, doc: text, odd: text, tools })
  .map((r) =>
    JSON.stringify({
      model: 'claude-opus-4-8',
      max_tokens: 100,
      system: r.system,
      messages: [
        { role: 'user', content: [{ type: 'text', text: r.user }, { type: 'document', source: { type: 'text', media_type: 'text/plain', data: r.doc } }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: r.thinking, signature: 'c2lnbmF0dXJl' },
            { type: 'text', text: r.answer },
            { type: 'tool_use', id: 'toolu_01', name: r.tools[0].name, input: r.args },
            { type: 'tool_use', id: 'toolu_02', name: r.tools[0].name, input: { text: r.odd } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: JSON.stringify({ result: r.result, args: r.args }) },
            { type: 'tool_result', tool_use_id: 'toolu_02', content: [{ type: 'text', text: r.result }] },
            // An unknown block type: kept opaque, with its text raw.
            { type: 'future_block', text: r.odd },
            { type: 'text', text: r.odd, future_field: true },
          ],
        },
      ],
      tools: r.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.schema })),
      output_format: { type: 'json_schema', schema: { type: 'object', description: r.odd } },
    }),
  );

describe('a request estimated with raw strings', () => {
  it('gets the estimate of the same request of byte strings, for every kind of block and family (property)', () => {
    fc.assert(
      fc.property(anthropicBlocksBody, (json) => {
        const buf = body(json);
        const extracted = extractRawStrings(buf, RAW_STRING_PATHS.anthropic, 1);
        if (!extracted) return;
        const rawReq = codecFor('anthropic').decodeRequest(JSON.parse(extracted.skeleton.toString('latin1')));
        rawReq.rawStrings = extracted.raw;
        const byteReq = codecFor('anthropic').decodeRequest(JSON.parse(buf.toString('latin1')));
        for (const family of ['anthropic', 'openai-o200k', 'gemini', 'generic'] as const) expect(estimateInputTokens(rawReq, family)).toBe(estimateInputTokens(byteReq, family));
      }),
      { numRuns: 100 },
    );
  });

  it('reads its texts where they are, without expanding a copy of the whole request', () => {
    const long = (c: string) => `${c} ${'lorem ipsum dolor '.repeat(60)}`;
    const buf = body(JSON.stringify({ model: 'm', max_tokens: 10, system: long('s'), messages: [{ role: 'user', content: long('u') }, { role: 'assistant', content: long('a') }, { role: 'user', content: long('q') }] }));
    const { body: parsed, raw } = parseBodyToTranslate(buf, 'anthropic', true, scanTopLevel(buf, { longStrings: RAW_STRING_FINDERS.anthropic }));
    expect(raw?.count).toBe(4);
    const req = codecFor('anthropic').decodeRequest(parsed);
    expect(markByteStrings(req, raw)).toBe(true);
    const expand = vi.spyOn(raw!, 'expand');
    for (const family of ['anthropic', 'openai-o200k', 'gemini'] as const) expect(estimateInputTokens(req, family)).toBeGreaterThan(4 * 150);
    // Only small values (a tool call's input, a schema) may be expanded; never the request or its messages.
    for (const [value] of expand.mock.calls) expect(value === req || value === req.messages || value === req.system).toBe(false);
  });
});

describe('a request translated from byte strings', () => {
  for (const [client, bodies] of [['anthropic', anthropicBody], ['openai', openaiBody]] as const) {
    for (const upstream of ['anthropic', 'openai', 'gemini'] as const) {
      it(`reaches ${upstream} as the same bytes as from text, with raw strings or without, with shared tools (${client} client)`, () => {
        fc.assert(
          fc.property(bodies, (json) => {
            const buf = body(json);
            expect(decodableAsBytes(buf)).toBe(true);
            const fromText = upstreamBytes(client, upstream, buf, false).toString('hex');
            expect(upstreamBytes(client, upstream, buf, true).toString('hex')).toBe(fromText);
            expect(upstreamBytesRaw(client, upstream, buf).toString('hex')).toBe(fromText);
            // Shared tools: the first time their text is made, the second time it is reused.
            expect(upstreamBytesShared(client, upstream, buf).toString('hex')).toBe(fromText);
            expect(upstreamBytesShared(client, upstream, buf).toString('hex')).toBe(fromText);
          }),
          { numRuns: 150 },
        );
      });
    }
  }

  it('is not used when a tool name or tool call id is not ASCII', () => {
    const withName = JSON.parse(JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], tools: [{ name: 'récupérer', input_schema: { type: 'object' } }] }));
    const req = codecFor('anthropic').decodeRequest(JSON.parse(body(JSON.stringify(withName)).toString('latin1')));
    expect(markByteStrings(req)).toBe(false);
    expect(req.byteStrings).toBeUndefined();
    const withId = {
      model: 'm',
      max_tokens: 5,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_é', name: 'read', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_é', content: 'ok' }] },
      ],
    };
    expect(markByteStrings(codecFor('anthropic').decodeRequest(JSON.parse(body(JSON.stringify(withId)).toString('latin1'))))).toBe(false);
  });
});

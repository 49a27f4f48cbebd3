import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeEvent, SseSplitter, SseTooLargeError, type SseEvent } from './index.js';

const B = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Pushes the chunks, then flushes; returns every event. */
function splitAll(chunks: Buffer[], splitter = new SseSplitter()): SseEvent[] {
  const events: SseEvent[] = [];
  for (const c of chunks) events.push(...splitter.push(c));
  events.push(...splitter.flush());
  expect(splitter.buffered).toBe(0);
  return events;
}

/** Cuts a buffer at the given offsets. */
function cut(buf: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

const fields = (e: SseEvent) => ({ event: e.event, data: e.data, id: e.id, retry: e.retry, hasData: e.hasData, unterminated: e.unterminated });
const isViewOf = (raw: Buffer, chunk: Buffer) => raw.buffer === chunk.buffer && raw.byteOffset >= chunk.byteOffset && raw.byteOffset + raw.length <= chunk.byteOffset + chunk.length;

const ANTHROPIC = readFileSync('/work/shared/fixtures/recorded/anthropic/anthropic--basic_response.txt');
const OPENAI = readFileSync('/work/shared/fixtures/recorded/openai/openai--anthropic-fallback-tool-call.sse');

describe('SseSplitter on recorded streams', () => {
  it('splits a raw Anthropic stream into its events, byte-exact', () => {
    const events = splitAll([ANTHROPIC]);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const e of events) {
      expect((JSON.parse(e.data) as { type: string }).type).toBe(e.event);
      expect(e.hasData).toBe(true);
      expect(e.unterminated).toBe(false);
      expect(isViewOf(e.raw, ANTHROPIC)).toBe(true);
    }
    expect(Buffer.concat(events.map((e) => e.raw)).equals(ANTHROPIC)).toBe(true);
    const text = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (JSON.parse(e.data) as { delta: { text: string } }).delta.text)
      .join('');
    expect(text).toBe('Hello there!');
  });

  it('splits an OpenAI stream whose final [DONE] line has no blank line after it', () => {
    const events = splitAll([OPENAI]);
    expect(events).toHaveLength(9);
    expect(events.slice(0, 8).every((e) => e.event === undefined && !e.unterminated && (JSON.parse(e.data) as { object: string }).object === 'chat.completion.chunk')).toBe(true);
    const last = events[8];
    expect(fields(last)).toEqual({ event: undefined, data: '[DONE]', id: undefined, retry: undefined, hasData: true, unterminated: true });
    expect(last.raw.toString()).toBe('data: [DONE]\n');
    expect(Buffer.concat(events.map((e) => e.raw)).equals(OPENAI)).toBe(true);
  });

  it.each([
    ['anthropic', ANTHROPIC],
    ['openai', OPENAI],
  ])('gives the same events for %s fed byte by byte, at random cuts and with CRLF / CR line endings', (_name, file) => {
    const reference = splitAll([file]).map(fields);
    const variants = [file, B(file.toString().replace(/\n/g, '\r\n')), B(file.toString().replace(/\n/g, '\r'))];
    for (const input of variants) {
      const whole = splitAll([input]);
      expect(whole.map(fields)).toEqual(reference);
      expect(Buffer.concat(whole.map((e) => e.raw)).equals(input)).toBe(true);
      const bytewise = splitAll(Array.from(input, (b) => Buffer.from([b])));
      expect(bytewise.map(fields)).toEqual(reference);
      expect(bytewise.map((e) => e.raw.toString('latin1'))).toEqual(whole.map((e) => e.raw.toString('latin1')));
      for (let seed = 1; seed < 30; seed++) {
        const offsets = Array.from({ length: seed % 7 }, (_, i) => (seed * 7919 + i * 104729) % input.length);
        const events = splitAll(cut(input, offsets));
        expect(events.map((e) => e.raw.toString('latin1'))).toEqual(whole.map((e) => e.raw.toString('latin1')));
        expect(events.map(fields)).toEqual(reference);
      }
    }
  });
});

describe('SseSplitter field rules', () => {
  it('joins data lines, strips one leading space, and handles fields without a colon', () => {
    const [e] = splitAll([B('data:a\ndata:  b\ndata\ndata:\nevent:x\n\n')]);
    expect(fields(e)).toMatchObject({ event: 'x', data: 'a\n b\n\n', hasData: true });
  });

  it('ignores comments and unknown fields, returning comment-only blocks with hasData=false', () => {
    const events = splitAll([B(': keep-alive\n\n:\n\nfoo: bar\ndata: x\nDATA: y\ndata : z\n\n\n')]);
    expect(events.map((e) => [e.raw.toString(), e.hasData, e.data])).toEqual([
      [': keep-alive\n\n', false, ''],
      [':\n\n', false, ''],
      ['foo: bar\ndata: x\nDATA: y\ndata : z\n\n', true, 'x'],
      ['\n', false, ''],
    ]);
  });

  it('keeps the last event type, treating an empty one as the default', () => {
    expect(splitAll([B('event: a\nevent: b\ndata: 1\n\n')])[0].event).toBe('b');
    expect(splitAll([B('event: a\nevent:\ndata: 1\n\n')])[0].event).toBeUndefined();
    expect(splitAll([B('event: only\n\n')])[0]).toMatchObject({ event: 'only', hasData: false, data: '' });
  });

  it('reads id (ignoring ones with NUL), keeps lastEventId sticky, and reads retry digits only', () => {
    const s = new SseSplitter();
    const events = s.push(B('id: 1\ndata: a\n\ndata: b\n\nid: x\u0000y\ndata: c\n\nid\ndata: d\n\nretry: 1500\nretry: 12a\ndata: e\n\n'));
    expect(events.map((e) => e.id)).toEqual(['1', undefined, undefined, '', undefined]);
    expect(events[4].retry).toBe(1500);
    expect(s.lastEventId).toBe('');
    s.push(B('id: 7\ndata: f\n\n'));
    expect(s.lastEventId).toBe('7');
  });

  it('decodes UTF-8 in values, also when a character is split across chunks', () => {
    const input = B('event: é\ndata: 😀 €\n\n');
    for (let i = 0; i <= input.length; i++) {
      const [e] = splitAll([input.subarray(0, i), input.subarray(i)]);
      expect([e.event, e.data]).toEqual(['é', '😀 €']);
    }
  });

  it('ignores a leading BOM, also when split across chunks, but keeps it in raw', () => {
    const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), B('data: x\n\n')]);
    for (let i = 0; i <= input.length; i++) {
      const events = splitAll([input.subarray(0, i), input.subarray(i)]);
      expect(events.map(fields)).toEqual([{ event: undefined, data: 'x', id: undefined, retry: undefined, hasData: true, unterminated: false }]);
      expect(events[0].raw.equals(input)).toBe(true);
    }
    // A BOM later in the stream is not special: the field name is then not "data".
    expect(splitAll([B('data: a\n\n\ufeffdata: b\n\n')]).map((e) => e.data)).toEqual(['a', '']);
    // A BOM-only first line is a blank line.
    expect(splitAll([B('\ufeff\ndata: a\n\n')]).map((e) => e.data)).toEqual(['', 'a']);
  });
});

describe('SseSplitter line endings and chunk boundaries', () => {
  it('handles a CRLF split between chunks without inventing a blank line', () => {
    const s = new SseSplitter();
    expect(s.push(B('data: a\r'))).toEqual([]);
    expect(s.push(B('\ndata: b\r'))).toEqual([]);
    expect(s.push(B('\n\r'))).toEqual([]); // the blank line ends in CR: held until we know whether LF follows
    const [e] = s.push(B('\nevent: next\r\n'));
    expect(e.raw.toString()).toBe('data: a\r\ndata: b\r\n\r\n');
    expect(e.data).toBe('a\nb');
    expect(s.buffered).toBe('event: next\r\n'.length);
    const tail = s.flush();
    expect(tail.map((t) => [t.event, t.unterminated, t.raw.toString()])).toEqual([['next', true, 'event: next\r\n']]);
  });

  it('treats lone CRs as line ends', () => {
    const events = splitAll([B('data: a\rdata: b\r\rdata: c\r\r')]);
    expect(events.map((e) => [e.data, e.raw.toString(), e.unterminated])).toEqual([
      ['a\nb', 'data: a\rdata: b\r\r', false],
      ['c', 'data: c\r\r', false],
    ]);
  });

  it('dispatches a CR-terminated event held at a chunk end once the next chunk shows no LF', () => {
    const s = new SseSplitter();
    expect(s.push(B('data: a\r\r'))).toEqual([]);
    const events = s.push(B('\r\ndata: b\n\n'));
    expect(events.map((e) => e.raw.toString())).toEqual(['data: a\r\r', '\r\n', 'data: b\n\n']);
  });

  it('returns views of the chunk for events inside it and copies only for events spanning chunks', () => {
    const s = new SseSplitter();
    const c1 = B('data: 1\n\ndata: 2\n\ndata: 3');
    const e1 = s.push(c1);
    expect(e1.map((e) => e.data)).toEqual(['1', '2']);
    expect(e1.every((e) => isViewOf(e.raw, c1))).toBe(true);
    expect(s.buffered).toBe(7);
    const c2 = B('\n\ndata: 4\n\n');
    const e2 = s.push(c2);
    expect(e2.map((e) => e.raw.toString())).toEqual(['data: 3\n\n', 'data: 4\n\n']);
    expect(isViewOf(e2[0].raw, c1) || isViewOf(e2[0].raw, c2)).toBe(false);
    expect(isViewOf(e2[1].raw, c2)).toBe(true);
    // An event held from an earlier chunk that needs nothing from the next one is still a view.
    const s2 = new SseSplitter();
    const c3 = B('data: x\r\r');
    s2.push(c3);
    const [held] = s2.flush();
    expect(isViewOf(held.raw, c3)).toBe(true);
  });

  it('accepts empty chunks and reports buffered bytes', () => {
    const s = new SseSplitter();
    expect(s.push(Buffer.alloc(0))).toEqual([]);
    s.push(B('data: abc'));
    expect(s.buffered).toBe(9);
    expect(s.push(Buffer.alloc(0))).toEqual([]);
    expect(s.push(B('\n\n'))[0].raw.toString()).toBe('data: abc\n\n');
    expect(s.buffered).toBe(0);
    expect(s.flush()).toEqual([]);
  });

  it('reassembles a long data line spread over many chunks', () => {
    const payload = JSON.stringify({ text: 'x'.repeat(100_000) });
    const input = B(`event: big\ndata: ${payload}\n\n`);
    const chunks = cut(input, Array.from({ length: 60 }, (_, i) => i * 1777));
    const [e, ...rest] = splitAll(chunks);
    expect(rest).toEqual([]);
    expect(e.data).toBe(payload);
    expect(e.raw.equals(input)).toBe(true);
  });
});

describe('SseSplitter limits', () => {
  it('throws SseTooLargeError for an oversized partial event, and stays failed', () => {
    const s = new SseSplitter({ maxEventBytes: 100 });
    s.push(B('data: ' + 'x'.repeat(50)));
    expect(() => s.push(B('y'.repeat(60)))).toThrow(SseTooLargeError);
    expect(() => s.push(B('\n\n'))).toThrow(SseTooLargeError);
    expect(() => s.flush()).toThrow(SseTooLargeError);
  });

  it('throws for an oversized complete event inside one chunk, and allows one at the limit', () => {
    const ok = B('data: ' + 'x'.repeat(92) + '\n\n');
    expect(ok.length).toBe(100);
    expect(new SseSplitter({ maxEventBytes: 100 }).push(ok)).toHaveLength(1);
    expect(() => new SseSplitter({ maxEventBytes: 99 }).push(ok)).toThrow(/exceeds 99 bytes/);
  });
});

describe('encodeEvent', () => {
  it('encodes event and data lines', () => {
    expect(encodeEvent('message_start', '{"a":1}')).toBe('event: message_start\ndata: {"a":1}\n\n');
    expect(encodeEvent(undefined, 'x')).toBe('data: x\n\n');
    expect(encodeEvent('e', 'a\nb\r\nc\rd')).toBe('event: e\ndata: a\ndata: b\ndata: c\ndata: d\n\n');
    expect(encodeEvent(undefined, '')).toBe('data: \n\n');
    expect(() => encodeEvent('a\nb', 'x')).toThrow(TypeError);
  });

  it('round-trips through the splitter', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary' }).filter((s) => !/[\r\n]/.test(s) && s !== ''), { nil: undefined }), fc.string({ unit: 'binary' }), (event, data) => {
        const [e] = splitAll([B(encodeEvent(event, data))]);
        expect(e.event).toBe(event);
        expect(e.data).toBe(data.replace(/\r\n|\r/g, '\n'));
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Property: random event lists, encoded with random line endings and field spellings, split at random boundaries.
// ---------------------------------------------------------------------------------------------------------------

type Line =
  | { kind: 'data'; value: string; form: 'space' | 'nospace' | 'bare' }
  | { kind: 'event'; value: string; form: 'space' | 'nospace' }
  | { kind: 'id'; value: string }
  | { kind: 'retry'; value: string }
  | { kind: 'comment'; text: string }
  | { kind: 'unknown'; name: string; value: string | null };

const value = fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom(' ', ':', '\u0000', 'é')), maxLength: 10 }).map((s) => s.replace(/[\r\n]/g, ''));
const line: fc.Arbitrary<Line> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(value, fc.constantFrom<'space' | 'nospace' | 'bare'>('space', 'nospace', 'bare')).map(([v, form]): Line => ({ kind: 'data', value: form === 'bare' ? '' : v, form: form === 'nospace' && v.startsWith(' ') ? 'space' : form })) },
  { weight: 2, arbitrary: fc.tuple(value, fc.constantFrom<'space' | 'nospace'>('space', 'nospace')).map(([v, form]): Line => ({ kind: 'event', value: v, form: form === 'nospace' && v.startsWith(' ') ? 'space' : form })) },
  { weight: 1, arbitrary: value.map((v): Line => ({ kind: 'id', value: v })) },
  { weight: 1, arbitrary: fc.oneof(fc.stringMatching(/^[0-9]{1,5}$/), value).map((v): Line => ({ kind: 'retry', value: v })) },
  { weight: 1, arbitrary: value.map((t): Line => ({ kind: 'comment', text: t })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('foo', 'Data', 'dat', 'datas', 'events', 'i', 'retr'), fc.option(value, { nil: null })).map(([name, v]): Line => ({ kind: 'unknown', name, value: v })) },
);

function lineText(l: Line): string {
  switch (l.kind) {
    case 'data':
      return l.form === 'bare' ? 'data' : (l.form === 'space' ? 'data: ' : 'data:') + l.value;
    case 'event':
      return (l.form === 'space' ? 'event: ' : 'event:') + l.value;
    case 'id':
      return 'id: ' + l.value;
    case 'retry':
      return 'retry: ' + l.value;
    case 'comment':
      return ':' + l.text;
    case 'unknown':
      return l.value === null ? l.name : `${l.name}: ${l.value}`;
  }
}

function expectedFields(lines: Line[], unterminated: boolean) {
  let event = '';
  let data: string | undefined;
  let id: string | undefined;
  let retry: number | undefined;
  for (const l of lines) {
    if (l.kind === 'data') data = data === undefined ? l.value : data + '\n' + l.value;
    else if (l.kind === 'event') event = l.value;
    else if (l.kind === 'id' && !l.value.includes('\u0000')) id = l.value;
    else if (l.kind === 'retry' && /^[0-9]+$/.test(l.value)) retry = Number(l.value);
  }
  return { event: event === '' ? undefined : event, data: data ?? '', id, retry, hasData: data !== undefined, unterminated };
}

const ENDINGS = ['\n', '\r\n', '\r'] as const;
const stream = fc
  .tuple(
    fc.array(fc.array(line, { maxLength: 5 }), { maxLength: 8 }),
    fc.option(fc.tuple(fc.array(line, { minLength: 1, maxLength: 3 }), fc.boolean()), { nil: undefined }),
    fc.array(fc.constantFrom(0, 0, 1, 2), { minLength: 64, maxLength: 64 }),
  )
  .map(([blocks, tail, endingChoices]) => {
    let k = 0;
    let prev = '';
    /** A line ending that cannot merge with a preceding lone CR into one CRLF. */
    const ending = (lineIsEmpty: boolean): string => {
      let e: string = ENDINGS[endingChoices[k++ % endingChoices.length]];
      if (prev === '\r' && lineIsEmpty && e === '\n') e = '\r\n';
      prev = e;
      return e;
    };
    const expected: Array<ReturnType<typeof expectedFields> & { raw: string }> = [];
    let text = '';
    for (const lines of blocks) {
      let raw = '';
      for (const l of lines) raw += lineText(l) + ending(false);
      raw += ending(true);
      expected.push({ ...expectedFields(lines, false), raw });
      text += raw;
    }
    if (tail) {
      const [lines, lastTerminated] = tail;
      let raw = '';
      lines.forEach((l, i) => (raw += lineText(l) + (i < lines.length - 1 || lastTerminated ? ending(false) : '')));
      expected.push({ ...expectedFields(lines, true), raw });
      text += raw;
    }
    return { text, expected };
  });

describe('SseSplitter properties', () => {
  it('parses random streams identically at any chunking, with raws concatenating to the input', () => {
    const cuts = fc.oneof(fc.array(fc.nat(), { maxLength: 12 }), fc.constant(null));
    fc.assert(
      fc.property(stream, cuts, ({ text, expected }, offsets) => {
        const input = B(text);
        const chunks = offsets === null ? Array.from(input, (b) => Buffer.from([b])) : cut(input, offsets);
        const events = splitAll(chunks);
        expect(events.map(fields)).toEqual(expected.map(({ raw: _raw, ...f }) => f));
        expect(events.map((e) => e.raw.toString())).toEqual(expected.map((e) => e.raw));
        expect(Buffer.concat(events.map((e) => e.raw)).equals(input)).toBe(true);
        // In one chunk, every raw is a view of it.
        const whole = splitAll([input]);
        expect(whole.every((e) => isViewOf(e.raw, input))).toBe(true);
        expect(whole.map(fields)).toEqual(events.map(fields));
      }),
      { numRuns: 3000 },
    );
  });
});

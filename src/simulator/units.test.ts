/** Unit tests of the small building blocks. */
import { describe, expect, it } from 'vitest';
import { spacedJson } from './anthropic/encode.js';
import { groupPieces, splitChars, splitText } from './chunking.js';
import { FaultEngine } from './faults.js';
import { googleJson } from './gemini/encode.js';
import { retryDelay } from './gemini/errors.js';
import { camelCase, isBase64, snakeCase } from './gemini/proto.js';
import { implicitCacheRead } from './implicit-cache.js';
import { PrefixCache } from './prefix-cache.js';
import { RequestLog } from './log.js';
import { createRng } from './rng.js';
import { ScriptQueue } from './script.js';
import { countChars, estimateTokens, INLINE_MEDIA_CHARS } from './tokens.js';
import { generateTurn, makeSignature } from './turn.js';

describe('tokens', () => {
  it('~4 chars per token, deterministic, media charged flat', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(countChars({ text: 'hello' })).toBe(9);
    expect(countChars({ text: 'hello', cache_control: { type: 'ephemeral' } })).toBe(9);
    expect(countChars({ type: 'base64', media_type: 'image/png', data: 'x'.repeat(100_000) })).toBe(INLINE_MEDIA_CHARS);
  });
});

describe('text and JSON chunking', () => {
  it('splitText keeps every character and makes several pieces', () => {
    const t = 'Hello there!  How are you doing today?\n\nFine.';
    const parts = splitText(t);
    expect(parts.join('')).toBe(t);
    expect(parts.length).toBeGreaterThan(2);
    expect(splitText('')).toEqual([]);
    const long = 'x'.repeat(200);
    expect(splitText(long).join('')).toBe(long);
  });

  it('splitChars never splits a surrogate pair', () => {
    const s = 'ab😀cd😀'.repeat(5);
    for (const size of [1, 2, 3, 5]) {
      const parts = splitChars(s, size);
      expect(parts.join('')).toBe(s);
      for (const p of parts) expect(p.length > 0 && !/[\uD800-\uDBFF]$/.test(p)).toBe(true);
    }
  });

  it('groupPieces joins consecutive pieces without losing any', () => {
    const pieces = splitText('one two three four five six seven eight nine ten eleven');
    const groups = groupPieces(pieces, 2);
    expect(groups.join('')).toBe(pieces.join(''));
    expect(groups).toHaveLength(Math.ceil(pieces.length / 2));
    expect(groupPieces(pieces, 1)).toBe(pieces);
  });

  it('googleJson: the streaming endpoint spacing and HTML-safe strings, still valid JSON', () => {
    const v = { a: [1, { b: 'x<y>&z' }], 'k<': null, u: undefined };
    const s = googleJson(v);
    expect(s).toBe('{"a": [1,{"b": "x\\u003cy\\u003e\\u0026z"}],"k\\u003c": null}');
    expect(JSON.parse(s)).toEqual({ a: [1, { b: 'x<y>&z' }], 'k<': null });
  });

  it('spacedJson is valid JSON with API-style separators', () => {
    const v = { a: 1, b: [1, 'two', { c: null }], d: { e: true }, u: undefined };
    const s = spacedJson(v);
    expect(s).toBe('{"a": 1, "b": [1, "two", {"c": null}], "d": {"e": true}}');
    expect(JSON.parse(s)).toEqual({ a: 1, b: [1, 'two', { c: null }], d: { e: true } });
  });
});

describe('script queue', () => {
  it('per-model first, then shared; peek does not consume', () => {
    const q = new ScriptQueue();
    q.add([{ content: [{ type: 'text', text: 'a' }] }, { content: [{ type: 'text', text: 'b' }] }]);
    q.add([{ content: [{ type: 'text', text: 'm' }] }], { model: 'm' });
    expect(q.take('m', true)?.content[0]).toEqual({ type: 'text', text: 'm' });
    expect(q.take('m')?.content[0]).toEqual({ type: 'text', text: 'm' });
    expect(q.take('m')?.content[0]).toEqual({ type: 'text', text: 'a' });
    expect(q.take('x')?.content[0]).toEqual({ type: 'text', text: 'b' });
    expect(q.take('x')).toBeUndefined();
  });
});

describe('fault engine', () => {
  it('delays add up, the first terminal wins, times counts only applied rules', () => {
    const e = new FaultEngine(createRng(1));
    e.add({ fault: { kind: 'latency', ms: 10 } });
    e.add({ fault: { kind: 'cut', afterEvents: 1 }, times: 1 });
    e.add({ fault: { kind: 'reset' }, times: 1 });
    e.add({ fault: { kind: 'latency', ms: 5 }, times: 1 });
    const p1 = e.plan({ path: '/v1/messages' });
    expect(p1).toMatchObject({ latencyMs: 15, terminal: { kind: 'cut' }, label: 'latency+cut+latency' });
    const p2 = e.plan({ path: '/v1/messages' });
    expect(p2).toMatchObject({ latencyMs: 10, terminal: { kind: 'reset' } });
    const p3 = e.plan({ path: '/v1/messages' });
    expect(p3.terminal).toBeUndefined();
    expect(e.count).toBe(1);
  });
});

describe('request log bounds', () => {
  it('drops the oldest by count and by body bytes', () => {
    const log = new RequestLog(3, 250);
    const entry = (n: number) => ({ seq: log.nextSeq(), time: 0, method: 'POST', path: '/', query: '', headers: {}, body: Buffer.alloc(n) });
    for (let i = 0; i < 5; i++) log.push(entry(10));
    expect(log.entries.map((e) => e.seq)).toEqual([3, 4, 5]);
    log.push(entry(200));
    log.push(entry(100));
    expect(log.entries.map((e) => e.seq)).toEqual([7]);
  });
});

describe('generated turns', () => {
  it('are deterministic and signatures are stable opaque base64', () => {
    const req = { model: 'm', lastUserText: 'a b c', thinking: true, thinkingOmitted: false, stopSequences: [] };
    expect(generateTurn(req)).toEqual(generateTurn(req));
    const sig = makeSignature('x');
    expect(sig).toBe(makeSignature('x'));
    expect(sig).not.toBe(makeSignature('y'));
    expect(Buffer.from(sig, 'base64').toString('base64')).toBe(sig);
  });
});

describe('implicit prompt cache', () => {
  const seg = (text: string) => ({ chars: text.length, value: text });
  const rule = { minTokens: 100, granularity: 16 };

  it('reads the longest previously seen prefix at a segment boundary, in granularity steps', () => {
    const cache = new PrefixCache();
    const a = [seg('s'.repeat(500)), seg('u'.repeat(40))];
    expect(implicitCacheRead(cache, 'm', a, rule)).toBe(0);
    const b = [seg('s'.repeat(500)), seg('v'.repeat(40)), seg('w'.repeat(40))];
    expect(implicitCacheRead(cache, 'm', b, rule)).toBe(Math.floor(125 / 16) * 16);
    expect(implicitCacheRead(cache, 'm', b, rule)).toBe(Math.floor(145 / 16) * 16);
    expect(implicitCacheRead(cache, 'other', b, rule)).toBe(0);
  });

  it('short prompts are never cached', () => {
    const cache = new PrefixCache();
    const small = [seg('x'.repeat(100))];
    implicitCacheRead(cache, 'm', small, rule);
    expect(implicitCacheRead(cache, 'm', small, rule)).toBe(0);
  });
});

describe('gemini helpers', () => {
  it('proto field names in both spellings; base64 in both alphabets', () => {
    expect(camelCase('parameters_json_schema')).toBe('parametersJsonSchema');
    expect(snakeCase('thinkingConfig')).toBe('thinking_config');
    expect(isBase64('EqQBCkYIBxgCKkB+/w==')).toBe(true);
    expect(isBase64('EqQBCkYIBxgCKkB-_w')).toBe(true);
    expect(isBase64('skip_thought_signature_validator')).toBe(true);
    expect(isBase64('sy1:gemini::m:abc')).toBe(false);
    expect(isBase64('abcde')).toBe(false);
  });

  it('retryDelay renders seconds, numeric strings and HTTP dates as a Duration', () => {
    expect(retryDelay(34.4)).toBe('34.4s');
    expect(retryDelay('12')).toBe('12s');
    expect(retryDelay(new Date(Date.now() - 5000).toUTCString())).toBe('0s');
    expect(retryDelay('not a date')).toBe('0s');
  });
});

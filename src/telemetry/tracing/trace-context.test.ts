import { describe, expect, it } from 'vitest';
import { recordMetadata } from '../../ingress/record-metadata.js';
import { formatTraceparent, isSampled, parseTraceparent, parseTracestate, recordedParent, traceContextEntries } from './trace-context.js';
import { traceIdFor, traceIdOf } from './trace-id.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${SPAN}-01`;

describe('parseTraceparent', () => {
  it('reads a version-00 header', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, spanId: SPAN, flags: 1 });
    expect(isSampled(parseTraceparent(VALID)!)).toBe(true);
    expect(isSampled(parseTraceparent(`00-${TRACE}-${SPAN}-00`)!)).toBe(false);
    // Only bit 0 is `sampled`; other flag bits are kept but do not sample.
    expect(isSampled(parseTraceparent(`00-${TRACE}-${SPAN}-02`)!)).toBe(false);
    expect(isSampled(parseTraceparent(`00-${TRACE}-${SPAN}-03`)!)).toBe(true);
    expect(parseTraceparent([VALID])).toEqual({ traceId: TRACE, spanId: SPAN, flags: 1 });
    expect(parseTraceparent(` ${VALID}\t`)).not.toBeNull();
  });

  it('reads a later version by its first four fields', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN, flags: 1 });
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01-what-the-future-holds`)).toEqual({ traceId: TRACE, spanId: SPAN, flags: 1 });
    expect(formatTraceparent(parseTraceparent(`cc-${TRACE}-${SPAN}-09-x`)!)).toBe(`00-${TRACE}-${SPAN}-09`);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with a fifth field', `${VALID}-extra`],
    ['a later version with junk glued on', `01-${TRACE}-${SPAN}-01extra`],
    ['a short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['a long span id', `00-${TRACE}-${SPAN}0-01`],
    ['a one-digit version', `0-${TRACE}-${SPAN}-01`],
    ['three-digit flags', `00-${TRACE}-${SPAN}-001`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['an all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['non-hex', `00-${TRACE.slice(0, 31)}g-${SPAN}-01`],
    ['another separator', VALID.replaceAll('-', '_')],
    ['two headers joined', `${VALID}, ${VALID}`],
    ['two header values', [VALID, VALID]],
  ])('ignores %s', (_what, value) => {
    expect(parseTraceparent(value)).toBeNull();
  });
});

describe('parseTracestate', () => {
  it('keeps valid members in order, trimmed, and joins several headers', () => {
    expect(parseTracestate('congo=t61rcWkgMzE, rojo=00f067aa0ba902b7')).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    expect(parseTracestate(['a=1', 'b=2,c=3'])).toBe('a=1,b=2,c=3');
    expect(parseTracestate('tenant@vendor=x, ot=th:8')).toBe('tenant@vendor=x,ot=th:8');
  });

  it('drops invalid members and repeated keys, and is null when nothing is left', () => {
    expect(parseTracestate('Upper=1,ok=2,=3,novalue=,noeq,ok=4,sp=a b ,x=a,b')).toBe('ok=2,sp=a b,x=a');
    expect(parseTracestate('bad key=1')).toBeNull();
    expect(parseTracestate(',, ,')).toBeNull();
    expect(parseTracestate(undefined)).toBeNull();
  });

  it('keeps at most 32 members and 512 characters, dropping long members first', () => {
    const many = Array.from({ length: 40 }, (_, i) => `k${i}=v`).join(',');
    expect(parseTracestate(many)!.split(',')).toHaveLength(32);
    const long = `big=${'x'.repeat(200)}`;
    const small = Array.from({ length: 20 }, (_, i) => `key${i}=${'y'.repeat(10)}`);
    const out = parseTracestate([small[0], long, ...small.slice(1)].join(','))!;
    expect(out).toBe(small.join(','));
    const tooMany = parseTracestate(Array.from({ length: 30 }, (_, i) => `key${i}=${'z'.repeat(20)}`).join(','))!;
    expect(tooMany.length).toBeLessThanOrEqual(512);
    expect(tooMany.startsWith('key0=')).toBe(true);
    expect(tooMany.endsWith(`=${'z'.repeat(20)}`)).toBe(true);
  });
});

describe('the record keeps the caller trace context', () => {
  it('as metadata.traceparent (version 00) and metadata.tracestate', () => {
    expect(traceContextEntries({ traceparent: `01-${TRACE}-${SPAN}-01-x`, tracestate: 'a=1' })).toEqual([
      ['traceparent', VALID],
      ['tracestate', 'a=1'],
    ]);
    expect(recordMetadata({ traceparent: VALID, tracestate: 'a=1' }, undefined, null)).toEqual({ traceparent: VALID, tracestate: 'a=1' });
    expect(recordMetadata({ traceparent: VALID }, { team: 'infra' }, 'u1')).toEqual({ team: 'infra', user_id: 'u1', traceparent: VALID });
  });

  it('not for an invalid traceparent, nor a tracestate without one', () => {
    expect(recordMetadata({ traceparent: `00-${TRACE}-${SPAN}-1`, tracestate: 'a=1' }, undefined, null)).toBeNull();
    expect(recordMetadata({ tracestate: 'a=1' }, undefined, null)).toBeNull();
    expect(recordMetadata({ traceparent: VALID, tracestate: '###' }, undefined, null)).toEqual({ traceparent: VALID });
  });

  it('which the client cannot set through metadata', () => {
    const spoof = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
    expect(recordMetadata({ 'x-switchyard-metadata': `traceparent=${spoof}` }, { tracestate: 'evil=1', team: 'a' }, null)).toEqual({ team: 'a' });
    expect(recordMetadata({ traceparent: VALID }, { traceparent: spoof }, null)).toEqual({ traceparent: VALID });
    // Even past the bound on the client's own entries.
    const full = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v']));
    expect(recordMetadata({ traceparent: VALID }, full, null)!.traceparent).toBe(VALID);
  });

  it('and its trace id is the one the spans use; without it the id derived from the request id', () => {
    expect(traceIdOf({ id: 'req_1', metadata: { traceparent: VALID } })).toBe(TRACE);
    expect(traceIdOf({ id: 'req_1', metadata: { team: 'a' } })).toBe(traceIdFor('req_1'));
    expect(traceIdOf({ id: 'req_1', metadata: null })).toBe(traceIdFor('req_1'));
    expect(recordedParent({ traceparent: VALID, tracestate: 'a=1' })).toEqual({ parent: { traceId: TRACE, spanId: SPAN, flags: 1 }, traceState: 'a=1' });
    expect(recordedParent({ traceparent: 'garbage' })).toBeNull();
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalLimits } from './local.js';
import { periodsOf, type AdmitInput, type ResolvedLimits, type Ticket } from './types.js';

const T0 = Date.UTC(2026, 7, 19, 12, 0, 0);

function clock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms), set: (t: number) => (now = t) };
}

function input(limits: ResolvedLimits, over: Partial<AdmitInput> = {}, at = T0): AdmitInput {
  return { subject: 'key_1', limits, tokens: 0, costNano: 0, ...periodsOf(at), ...over };
}

function admitOk(l: LocalLimits, i: AdmitInput): Ticket {
  const r = l.admitSync(i);
  if (!r.ok) throw new Error(`refused by ${r.limit}`);
  return r.ticket;
}

describe('LocalLimits', () => {
  it('requests per minute: admits up to the limit, then names the limit and when the oldest request leaves the window', () => {
    const c = clock();
    const l = new LocalLimits(c.now);
    const lim = { requests_per_minute: 3 };
    admitOk(l, input(lim));
    c.advance(10_000);
    admitOk(l, input(lim));
    admitOk(l, input(lim));
    const r = l.admitSync(input(lim));
    expect(r).toMatchObject({ ok: false, limit: 'requests_per_minute', used: 3 });
    // The first request (at T0) leaves the 60 s window 50 s from now.
    expect(!r.ok && r.retryAfterMs).toBe(50_000);
    c.advance(50_000);
    admitOk(l, input(lim));
  });

  it('a refused request counts against nothing', () => {
    const l = new LocalLimits(clock().now);
    const lim = { requests_per_minute: 5, concurrent_requests: 1, usd_per_day: 1 };
    admitOk(l, input(lim, { costNano: 1e8 }));
    expect(l.admitSync(input(lim, { costNano: 1e8 }))).toMatchObject({ ok: false, limit: 'concurrent_requests' });
    const { day, month } = periodsOf(T0);
    expect(l.usage('key_1', day, month)).toEqual({ requests: 1, tokens: 0, inFlight: 1, dayNano: 1e8, monthNano: 0 });
  });

  it('concurrent requests: a slot frees when its request settles', () => {
    const l = new LocalLimits(clock().now);
    const lim = { concurrent_requests: 2 };
    const a = admitOk(l, input(lim));
    admitOk(l, input(lim));
    expect(l.admitSync(input(lim))).toMatchObject({ ok: false, limit: 'concurrent_requests', used: 2 });
    l.settleSync(a, { tokens: 0, costNano: 0 });
    admitOk(l, input(lim));
    // Settling twice frees one slot, not two.
    l.settleSync(a, { tokens: 0, costNano: 0 });
    expect(l.admitSync(input(lim))).toMatchObject({ ok: false, limit: 'concurrent_requests' });
  });

  it('tokens per minute: the estimate counts at admission, the settlement corrects it', () => {
    const c = clock();
    const l = new LocalLimits(c.now);
    const lim = { tokens_per_minute: 1000 };
    const { day, month } = periodsOf(T0);
    const t = admitOk(l, input(lim, { tokens: 600 }));
    expect(l.usage('key_1', day, month).tokens).toBe(600);
    // Used 600 < 1000: admitted even though 600 + 600 is over (a limit admits while usage is below it).
    const t2 = admitOk(l, input(lim, { tokens: 600 }));
    expect(l.admitSync(input(lim, { tokens: 1 }))).toMatchObject({ ok: false, limit: 'tokens_per_minute', used: 1200 });
    c.advance(2000);
    l.settleSync(t, { tokens: 100, costNano: 0 });
    l.settleSync(t2, { tokens: 900, costNano: 0 });
    expect(l.usage('key_1', day, month).tokens).toBe(100 + 900);
    expect(l.admitSync(input(lim, { tokens: 1 }))).toMatchObject({ ok: false, limit: 'tokens_per_minute' });
  });

  it('a budget reserves the estimate and settles the real cost; refusals say until the period resets (null wait)', () => {
    const l = new LocalLimits(clock().now);
    const lim = { usd_per_day: 0.5 };
    const { day, month } = periodsOf(T0);
    const tickets = [];
    for (let i = 0; i < 5; i++) tickets.push(admitOk(l, input(lim, { costNano: 1e8 })));
    expect(l.admitSync(input(lim, { costNano: 1e8 }))).toEqual({ ok: false, limit: 'usd_per_day', retryAfterMs: null, used: 5e8 });
    for (const t of tickets) l.settleSync(t, { tokens: 0, costNano: 2e7 });
    expect(l.usage('key_1', day, month).dayNano).toBe(1e8);
    admitOk(l, input(lim, { costNano: 1e8 }));
  });

  it('a new UTC day starts its budget at zero; a request admitted the day before settles against its own day', () => {
    const c = clock(Date.UTC(2026, 7, 19, 23, 59, 59));
    const l = new LocalLimits(c.now);
    const lim = { usd_per_day: 1, usd_per_month: 100 };
    const late = admitOk(l, input(lim, { costNano: 9e8 }, c.now()));
    c.set(Date.UTC(2026, 7, 20, 0, 0, 1));
    const next = periodsOf(c.now());
    const fresh = admitOk(l, input(lim, { costNano: 5e8 }, c.now()));
    l.settleSync(late, { tokens: 0, costNano: 1e8 });
    expect(l.usage('key_1', next.day, next.month).dayNano).toBe(5e8);
    // Both days are in August: the month has both requests, the late one at its real cost.
    expect(l.usage('key_1', next.day, next.month).monthNano).toBe(5e8 + 1e8);
    l.settleSync(fresh, { tokens: 0, costNano: 5e8 });
  });

  it('property: concurrent reservations never let a budget overspend by more than one request estimate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.record({ estimate: fc.integer({ min: 0, max: 800 }), share: fc.double({ min: 0, max: 1, noNaN: true }), settleNow: fc.boolean() }), { minLength: 1, maxLength: 80 }),
        (budget, requests) => {
          const l = new LocalLimits(() => T0);
          const lim = { usd_per_day: budget / 1e9 };
          const open: Array<{ t: Ticket; actual: number }> = [];
          let spent = 0;
          let maxEstimate = 0;
          for (const r of requests) {
            const res = l.admitSync(input(lim, { costNano: r.estimate }));
            if (!res.ok) continue;
            maxEstimate = Math.max(maxEstimate, r.estimate);
            // Real costs are at most the estimate (the estimate prices max_tokens at the priciest candidate).
            const actual = Math.floor(r.estimate * r.share);
            if (r.settleNow) {
              l.settleSync(res.ticket, { tokens: 0, costNano: actual });
              spent += actual;
            } else open.push({ t: res.ticket, actual });
          }
          for (const o of open) {
            l.settleSync(o.t, { tokens: 0, costNano: o.actual });
            spent += o.actual;
          }
          return spent <= budget + maxEstimate;
        },
      ),
    );
  });

  it('limits of different keys are independent', () => {
    const l = new LocalLimits(clock().now);
    const lim = { requests_per_minute: 1 };
    admitOk(l, input(lim, { subject: 'a' }));
    admitOk(l, input(lim, { subject: 'b' }));
    expect(l.admitSync(input(lim, { subject: 'a' }))).toMatchObject({ ok: false });
  });
});

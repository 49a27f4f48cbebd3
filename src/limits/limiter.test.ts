import { describe, expect, it } from 'vitest';
import { humanDuration, KeyLimiter, usd } from './limiter.js';
import { LocalLimits } from './local.js';

const NOON = Date.UTC(2026, 7, 19, 12, 0, 0);

function limiter(opts: Partial<ConstructorParameters<typeof KeyLimiter>[0]> = {}, now = NOON) {
  return new KeyLimiter({ local: new LocalLimits(() => now), now: () => now, ...opts });
}

describe('KeyLimiter', () => {
  it('resolves limits: stored over config key over default, null lifts an inherited limit', () => {
    const l = limiter({
      defaults: { requests_per_minute: 60, usd_per_day: 5 },
      configKeys: [{ name: 'ci', limits: { usd_per_day: 0.5, tokens_per_minute: null } }],
    });
    expect(l.limitsFor({ id: 'k1', name: 'other' })).toEqual({ requests_per_minute: 60, usd_per_day: 5 });
    expect(l.limitsFor({ id: 'k2', name: 'ci' })).toEqual({ requests_per_minute: 60, usd_per_day: 0.5 });
    expect(l.limitsFor({ id: 'k3', name: 'ci', limits: { requests_per_minute: null, concurrent_requests: 2 } })).toEqual({ usd_per_day: 0.5, concurrent_requests: 2 });
  });

  it('a key without limits resolves to null (nothing else is done for its requests)', () => {
    expect(limiter().limitsFor({ id: 'k', name: 'n' })).toBeNull();
    expect(limiter({ defaults: { requests_per_minute: null } }).limitsFor({ id: 'k', name: 'n' })).toBeNull();
  });

  it('only token and budget limits need the request estimate', () => {
    expect(KeyLimiter.needsEstimate({ requests_per_minute: 1, concurrent_requests: 1 })).toBe(false);
    expect(KeyLimiter.needsEstimate({ tokens_per_minute: 1 })).toBe(true);
    expect(KeyLimiter.needsEstimate({ usd_per_month: 1 })).toBe(true);
  });

  it('a budget refusal names the key, the budget and when it resets', async () => {
    const l = limiter();
    const key = { id: 'k', name: 'ci' };
    const limits = { usd_per_day: 0.5 };
    expect((await l.admit(key, limits, { tokens: 10, costUsd: 0.6 })).ok).toBe(true);
    const r = await l.admit(key, limits, { tokens: 10, costUsd: 0.01 });
    expect(r).toEqual({
      ok: false,
      limit: 'usd_per_day',
      message: "Key 'ci' exceeded its budget of $0.50 per day ($0.60 spent or reserved); resets in 12h.",
      retryAfterSeconds: 12 * 3600,
    });
    expect(l.refusals.get('usd_per_day')).toBe(1);
  });

  it('a monthly budget resets on the first of the next month (UTC)', async () => {
    const l = limiter({}, Date.UTC(2026, 7, 30, 21, 0, 0));
    const key = { id: 'k', name: 'team' };
    await l.admit(key, { usd_per_month: 20 }, { tokens: 0, costUsd: 20 });
    const r = await l.admit(key, { usd_per_month: 20 }, { tokens: 0, costUsd: 1 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toBe("Key 'team' exceeded its budget of $20.00 per month ($20.00 spent or reserved); resets in 1d3h.");
  });

  it('rate limit refusals say which limit and when to retry', async () => {
    const l = limiter();
    const key = { id: 'k', name: 'bot' };
    await l.admit(key, { requests_per_minute: 1 }, { tokens: 0, costUsd: 0 });
    const rpm = await l.admit(key, { requests_per_minute: 1 }, { tokens: 0, costUsd: 0 });
    expect(rpm).toMatchObject({ ok: false, limit: 'requests_per_minute', retryAfterSeconds: 60, message: "Key 'bot' exceeded its limit of 1 requests per minute; retry in 1m." });
    const k2 = { id: 'k2', name: 'bot2' };
    await l.admit(k2, { concurrent_requests: 1 }, { tokens: 0, costUsd: 0 });
    const conc = await l.admit(k2, { concurrent_requests: 1 }, { tokens: 0, costUsd: 0 });
    expect(conc).toMatchObject({ ok: false, limit: 'concurrent_requests', retryAfterSeconds: 1, message: "Key 'bot2' already has 1 requests in progress, its limit of 1 concurrent requests; retry when one finishes." });
  });

  it("budgets start from the spend the records already hold (a restart does not hand out a fresh day)", async () => {
    const asked: number[] = [];
    const l = limiter({
      recordedSpend: async (since) => {
        asked.push(since);
        return [{ keyId: 'k', costUsd: since === Date.UTC(2026, 7, 19) ? 0.45 : 3 }];
      },
    });
    const key = { id: 'k', name: 'ci' };
    expect((await l.admit(key, { usd_per_day: 0.5, usd_per_month: 10 }, { tokens: 0, costUsd: 0.1 })).ok).toBe(true);
    const r = await l.admit(key, { usd_per_day: 0.5, usd_per_month: 10 }, { tokens: 0, costUsd: 0.1 });
    expect(r).toMatchObject({ ok: false, limit: 'usd_per_day' });
    expect(!r.ok && r.message).toContain('($0.55 spent or reserved)');
    expect(asked.sort()).toEqual([Date.UTC(2026, 7, 1), Date.UTC(2026, 7, 19)]);
    // Keys without a budget never ask.
    await l.admit({ id: 'other', name: 'o' }, { requests_per_minute: 5 }, { tokens: 0, costUsd: 0 });
    expect(asked).toHaveLength(2);
  });

  it('an unknown real cost keeps the reservation; a known one replaces it', async () => {
    const local = new LocalLimits(() => NOON);
    const l = limiter({ local });
    const key = { id: 'k', name: 'n' };
    const a = await l.admit(key, { usd_per_day: 10 }, { tokens: 0, costUsd: 1 });
    const b = await l.admit(key, { usd_per_day: 10 }, { tokens: 0, costUsd: 1 });
    if (!a.ok || !b.ok) throw new Error('refused');
    l.settle(a.ticket, { tokens: 0, costUsd: null });
    l.settle(b.ticket, { tokens: 0, costUsd: 0.25 });
    expect(local.usage('k', '2026-08-19', '2026-08').dayNano).toBe(1.25e9);
  });
});

describe('formatting', () => {
  it('durations show their two largest units', () => {
    expect(humanDuration(400)).toBe('1s');
    expect(humanDuration(42_000)).toBe('42s');
    expect(humanDuration(65_000)).toBe('1m5s');
    expect(humanDuration((3 * 3600 + 12 * 60 + 5) * 1000)).toBe('3h12m');
    expect(humanDuration((12 * 86_400 + 4 * 3600) * 1000)).toBe('12d4h');
  });

  it('money keeps cents, and two significant digits below a cent', () => {
    expect(usd(0.5)).toBe('$0.50');
    expect(usd(12)).toBe('$12.00');
    expect(usd(0.0042)).toBe('$0.0042');
  });
});
